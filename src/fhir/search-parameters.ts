/**
 * The one set of search-parameter definitions. Parsing (`search-request.ts`), the SQL
 * (`src/repository/search-sql.ts`), the CapabilityStatement and the GraphQL filter inputs are
 * all derived from these tables, so what the server advertises is what it does.
 * See: https://hl7.org/fhir/R4/search.html and https://hl7.org/fhir/R4/searchparameter-registry.html
 */
export const RESOURCE_TYPES = [
  'Patient',
  'Encounter',
  'Observation',
  'Condition',
  'MedicationRequest',
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export type SearchParamType = 'token' | 'string' | 'date' | 'reference' | 'quantity';
export type SqlCast = 'varchar' | 'date' | 'timestamp' | 'double';

/** How a parameter maps onto the mart's columns. */
export type SearchTarget =
  | { kind: 'id' }
  | { kind: 'identifier' }
  | { kind: 'name'; part: 'name' | 'family' | 'given' }
  /** A plain code column; `system` is the one code system its values come from. */
  | { kind: 'code'; column: string; system: string }
  /** A `*_tokens` column holding every coding as ` system|code `. */
  | { kind: 'tokens'; column: string }
  | { kind: 'reference'; column: string; targetType: ResourceType }
  /** A period `[lo, hi]`; `hi` null means still open (for `openEnded`). */
  | { kind: 'date'; lo: string; hi: string; cast: 'date' | 'timestamp'; openEnded?: boolean }
  | { kind: 'quantity' };

export interface SearchParamDef {
  name: string;
  type: SearchParamType;
  /** The FHIRPath the R4 registry gives this parameter. */
  expression: string;
  description: string;
  target: SearchTarget;
  /** Modifiers accepted beyond none. */
  modifiers?: readonly string[];
}

export interface SortDef {
  column: string;
  cast: SqlCast;
}

export interface ResourceDef {
  type: ResourceType;
  table: string;
  /** Columns that point at parent resources, for nested (batched) reads. */
  parents: Partial<Record<'Patient' | 'Encounter', string>>;
  params: readonly SearchParamDef[];
  /** `_sort` keys; every sort ends with `id` as the tie-break. */
  sorts: Readonly<Record<string, SortDef>>;
}

const STRING_MODIFIERS = ['exact', 'contains'] as const;

const common = {
  id: {
    name: '_id',
    type: 'token',
    expression: 'Resource.id',
    description: 'Logical id of this artifact',
    target: { kind: 'id' },
  },
  lastUpdated: {
    name: '_lastUpdated',
    type: 'date',
    expression: 'Resource.meta.lastUpdated',
    description: 'When the resource version last changed',
    target: { kind: 'date', lo: 'last_updated', hi: 'last_updated', cast: 'timestamp' },
  },
  sorts: {
    _id: { column: 'id', cast: 'varchar' },
    _lastUpdated: { column: 'last_updated', cast: 'timestamp' },
  },
} as const satisfies { id: SearchParamDef; lastUpdated: SearchParamDef; sorts: Record<string, SortDef> };

const patientRef = (name: string, expression: string): SearchParamDef => ({
  name,
  type: 'reference',
  expression,
  description: 'The patient the resource is about',
  target: { kind: 'reference', column: 'patient_id', targetType: 'Patient' },
});
const encounterRef = (expression: string): SearchParamDef => ({
  name: 'encounter',
  type: 'reference',
  expression,
  description: 'The encounter the resource was recorded in',
  target: { kind: 'reference', column: 'encounter_id', targetType: 'Encounter' },
});

export const RESOURCE_DEFS: Readonly<Record<ResourceType, ResourceDef>> = {
  Patient: {
    type: 'Patient',
    table: 'api.dim_patient_api',
    parents: {},
    params: [
      common.id,
      common.lastUpdated,
      {
        name: 'identifier',
        type: 'token',
        expression: 'Patient.identifier',
        description: 'A patient identifier (system|value; values are matched in tokenized form)',
        target: { kind: 'identifier' },
      },
      {
        name: 'name',
        type: 'string',
        expression: 'Patient.name',
        description: 'Any part of a name (family, given, prefix, suffix, text)',
        target: { kind: 'name', part: 'name' },
        modifiers: STRING_MODIFIERS,
      },
      {
        name: 'family',
        type: 'string',
        expression: 'Patient.name.family',
        description: 'The family name',
        target: { kind: 'name', part: 'family' },
        modifiers: STRING_MODIFIERS,
      },
      {
        name: 'given',
        type: 'string',
        expression: 'Patient.name.given',
        description: 'A given name',
        target: { kind: 'name', part: 'given' },
        modifiers: STRING_MODIFIERS,
      },
      {
        name: 'birthdate',
        type: 'date',
        expression: 'Patient.birthDate',
        description: "The patient's date of birth",
        target: { kind: 'date', lo: 'birth_date', hi: 'birth_date', cast: 'date' },
      },
      {
        name: 'gender',
        type: 'token',
        expression: 'Patient.gender',
        description: 'male | female | other | unknown',
        target: { kind: 'code', column: 'gender', system: 'http://hl7.org/fhir/administrative-gender' },
      },
    ],
    sorts: {
      ...common.sorts,
      birthdate: { column: 'birth_date', cast: 'date' },
      family: { column: 'family', cast: 'varchar' },
      given: { column: 'given', cast: 'varchar' },
      gender: { column: 'gender', cast: 'varchar' },
    },
  },
  Encounter: {
    type: 'Encounter',
    table: 'api.fct_encounter_api',
    parents: { Patient: 'patient_id' },
    params: [
      common.id,
      common.lastUpdated,
      patientRef('patient', 'Encounter.subject.where(resolve() is Patient)'),
      patientRef('subject', 'Encounter.subject'),
      {
        name: 'date',
        type: 'date',
        expression: 'Encounter.period',
        description: 'A date within the period the encounter lasted',
        target: { kind: 'date', lo: 'period_start', hi: 'period_end', cast: 'timestamp', openEnded: true },
      },
      {
        name: 'status',
        type: 'token',
        expression: 'Encounter.status',
        description: 'planned | arrived | triaged | in-progress | onleave | finished | cancelled +',
        target: { kind: 'code', column: 'status', system: 'http://hl7.org/fhir/encounter-status' },
      },
      {
        name: 'class',
        type: 'token',
        expression: 'Encounter.class',
        description: 'Classification of the encounter (AMB, IMP, EMER)',
        target: {
          kind: 'code',
          column: 'class_code',
          system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
        },
      },
    ],
    sorts: {
      ...common.sorts,
      date: { column: 'period_start', cast: 'timestamp' },
      status: { column: 'status', cast: 'varchar' },
    },
  },
  Observation: {
    type: 'Observation',
    table: 'api.fct_observation_api',
    parents: { Patient: 'patient_id', Encounter: 'encounter_id' },
    params: [
      common.id,
      common.lastUpdated,
      patientRef('patient', 'Observation.subject.where(resolve() is Patient)'),
      patientRef('subject', 'Observation.subject'),
      encounterRef('Observation.encounter'),
      {
        name: 'code',
        type: 'token',
        expression: 'Observation.code',
        description: 'The code of the observation type (system|code, code or |code)',
        target: { kind: 'tokens', column: 'code_tokens' },
      },
      {
        name: 'category',
        type: 'token',
        expression: 'Observation.category',
        description: 'The classification of the type of observation',
        target: { kind: 'tokens', column: 'category_tokens' },
      },
      {
        name: 'date',
        type: 'date',
        expression: 'Observation.effective',
        description: 'Obtained date/time (effective[x])',
        target: { kind: 'date', lo: 'effective_start', hi: 'effective_end', cast: 'timestamp' },
      },
      {
        name: 'value-quantity',
        type: 'quantity',
        expression: '(Observation.value as Quantity)',
        description: 'The value of the observation ([prefix]number|system|code)',
        target: { kind: 'quantity' },
      },
    ],
    sorts: {
      ...common.sorts,
      date: { column: 'effective_start', cast: 'timestamp' },
      code: { column: 'code', cast: 'varchar' },
      'value-quantity': { column: 'value_quantity', cast: 'double' },
    },
  },
  Condition: {
    type: 'Condition',
    table: 'api.fct_condition_api',
    parents: { Patient: 'patient_id', Encounter: 'encounter_id' },
    params: [
      common.id,
      common.lastUpdated,
      patientRef('patient', 'Condition.subject.where(resolve() is Patient)'),
      patientRef('subject', 'Condition.subject'),
      encounterRef('Condition.encounter'),
      {
        name: 'code',
        type: 'token',
        expression: 'Condition.code',
        description: 'Code for the condition (system|code, code or |code)',
        target: { kind: 'tokens', column: 'code_tokens' },
      },
      {
        name: 'clinical-status',
        type: 'token',
        expression: 'Condition.clinicalStatus',
        description: 'The clinical status of the condition',
        target: {
          kind: 'code',
          column: 'clinical_status',
          system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
        },
      },
      {
        name: 'onset-date',
        type: 'date',
        expression: 'Condition.onset.as(dateTime) | Condition.onset.as(Period)',
        description: 'Date related onsets (dateTime and Period)',
        target: { kind: 'date', lo: 'onset_start', hi: 'onset_start', cast: 'timestamp' },
      },
    ],
    sorts: {
      ...common.sorts,
      'onset-date': { column: 'onset_start', cast: 'timestamp' },
      code: { column: 'code', cast: 'varchar' },
    },
  },
  MedicationRequest: {
    type: 'MedicationRequest',
    table: 'api.fct_medication_request_api',
    parents: { Patient: 'patient_id', Encounter: 'encounter_id' },
    params: [
      common.id,
      common.lastUpdated,
      patientRef('patient', 'MedicationRequest.subject.where(resolve() is Patient)'),
      patientRef('subject', 'MedicationRequest.subject'),
      encounterRef('MedicationRequest.encounter'),
      {
        name: 'code',
        type: 'token',
        expression: '(MedicationRequest.medication as CodeableConcept)',
        description: 'The medication, as an RxNorm code (system|code, code or |code)',
        target: { kind: 'tokens', column: 'code_tokens' },
      },
      {
        name: 'status',
        type: 'token',
        expression: 'MedicationRequest.status',
        description:
          'active | on-hold | cancelled | completed | entered-in-error | stopped | draft | unknown',
        target: {
          kind: 'code',
          column: 'status',
          system: 'http://hl7.org/fhir/CodeSystem/medicationrequest-status',
        },
      },
      {
        name: 'intent',
        type: 'token',
        expression: 'MedicationRequest.intent',
        description:
          'proposal | plan | order | original-order | reflex-order | filler-order | instance-order | option',
        target: {
          kind: 'code',
          column: 'intent',
          system: 'http://hl7.org/fhir/CodeSystem/medicationrequest-intent',
        },
      },
      {
        name: 'authoredon',
        type: 'date',
        expression: 'MedicationRequest.authoredOn',
        description: 'When the prescription was initially written',
        target: { kind: 'date', lo: 'authored_on', hi: 'authored_on', cast: 'timestamp' },
      },
    ],
    sorts: {
      ...common.sorts,
      authoredon: { column: 'authored_on', cast: 'timestamp' },
      status: { column: 'status', cast: 'varchar' },
      code: { column: 'code', cast: 'varchar' },
    },
  },
};

/** Result parameters every type accepts; see https://hl7.org/fhir/R4/search.html#return */
export const CONTROL_PARAMS = ['_count', '_sort', '_total', '_summary', '_cursor', '_format'] as const;

export function isResourceType(value: string): value is ResourceType {
  return (RESOURCE_TYPES as readonly string[]).includes(value);
}
