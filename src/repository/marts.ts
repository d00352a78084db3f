/**
 * Where each resource type's search lands in the warehouse: its `api.*` mart, the columns its
 * search parameters and sort keys read, and the columns that point at its parents. Column
 * encodings follow dbt/API_MARTS.md. Every parameter and sort a type declares
 * (`resolvers/<type>.ts`) has exactly one entry here (`marts.test.ts`).
 */
import type { ResourceType } from '../fhir/search-parameters';

export type SqlCast = 'varchar' | 'date' | 'timestamp' | 'double';

/** How a search parameter maps onto the mart's columns. */
export type SearchTarget =
  | { kind: 'id' }
  /** A column holding every retained identifier as ` system|value_token ` (the value pseudonymized). */
  | { kind: 'identifier'; column: string }
  | { kind: 'name'; part: 'name' | 'family' | 'given' }
  /** A plain code column; `system` is the one code system its values come from. */
  | { kind: 'code'; column: string; system: string }
  /** A `*_tokens` column holding every coding as ` system|code `. */
  | { kind: 'tokens'; column: string }
  | { kind: 'reference'; column: string }
  /** A period `[lo, hi]`; `hi` null means still open (for `openEnded`). */
  | { kind: 'date'; lo: string; hi: string; cast: 'date' | 'timestamp'; openEnded?: boolean }
  | { kind: 'quantity' };

export interface SortColumn {
  column: string;
  cast: SqlCast;
}

export type ParentType = 'Patient' | 'Encounter';

export interface Mart {
  table: string;
  /** Columns that point at parent resources, for nested (batched) reads. */
  parents: Partial<Record<ParentType, string>>;
  /** By search parameter name. */
  targets: Readonly<Record<string, SearchTarget>>;
  /** By `_sort` key. */
  sorts: Readonly<Record<string, SortColumn>>;
}

const common = {
  targets: {
    _id: { kind: 'id' },
    _lastUpdated: { kind: 'date', lo: 'last_updated', hi: 'last_updated', cast: 'timestamp' },
  },
  sorts: {
    _id: { column: 'id', cast: 'varchar' },
    _lastUpdated: { column: 'last_updated', cast: 'timestamp' },
  },
} as const satisfies Pick<Mart, 'targets' | 'sorts'>;

const subject = { kind: 'reference', column: 'patient_id' } as const;
const ofPatientAndEncounter = { Patient: 'patient_id', Encounter: 'encounter_id' } as const;
/** What every clinical fact under a patient and an encounter has: the references and its coded `code`. */
const clinicalFact = {
  ...common.targets,
  patient: subject,
  subject,
  encounter: { kind: 'reference', column: 'encounter_id' },
  code: { kind: 'tokens', column: 'code_tokens' },
} as const satisfies Mart['targets'];

export const MARTS: Readonly<Record<ResourceType, Mart>> = {
  Patient: {
    table: 'api.dim_patient_api',
    parents: {},
    targets: {
      ...common.targets,
      identifier: { kind: 'identifier', column: 'identifier_tokens' },
      name: { kind: 'name', part: 'name' },
      family: { kind: 'name', part: 'family' },
      given: { kind: 'name', part: 'given' },
      birthdate: { kind: 'date', lo: 'birth_date', hi: 'birth_date', cast: 'date' },
      gender: { kind: 'code', column: 'gender', system: 'http://hl7.org/fhir/administrative-gender' },
    },
    sorts: {
      ...common.sorts,
      birthdate: { column: 'birth_date', cast: 'date' },
      family: { column: 'family', cast: 'varchar' },
      given: { column: 'given', cast: 'varchar' },
      gender: { column: 'gender', cast: 'varchar' },
    },
  },
  Encounter: {
    table: 'api.fct_encounter_api',
    parents: { Patient: 'patient_id' },
    targets: {
      ...common.targets,
      patient: subject,
      subject,
      date: { kind: 'date', lo: 'period_start', hi: 'period_end', cast: 'timestamp', openEnded: true },
      status: { kind: 'code', column: 'status', system: 'http://hl7.org/fhir/encounter-status' },
      class: {
        kind: 'code',
        column: 'class_code',
        system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
      },
    },
    sorts: {
      ...common.sorts,
      date: { column: 'period_start', cast: 'timestamp' },
      status: { column: 'status', cast: 'varchar' },
    },
  },
  Observation: {
    table: 'api.fct_observation_api',
    parents: ofPatientAndEncounter,
    targets: {
      ...clinicalFact,
      category: { kind: 'tokens', column: 'category_tokens' },
      date: { kind: 'date', lo: 'effective_start', hi: 'effective_end', cast: 'timestamp' },
      'value-quantity': { kind: 'quantity' },
    },
    sorts: {
      ...common.sorts,
      date: { column: 'effective_start', cast: 'timestamp' },
      code: { column: 'code', cast: 'varchar' },
      'value-quantity': { column: 'value_quantity', cast: 'double' },
    },
  },
  Condition: {
    table: 'api.fct_condition_api',
    parents: ofPatientAndEncounter,
    targets: {
      ...clinicalFact,
      'clinical-status': {
        kind: 'code',
        column: 'clinical_status',
        system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
      },
      'onset-date': { kind: 'date', lo: 'onset_start', hi: 'onset_start', cast: 'timestamp' },
    },
    sorts: {
      ...common.sorts,
      'onset-date': { column: 'onset_start', cast: 'timestamp' },
      code: { column: 'code', cast: 'varchar' },
    },
  },
  MedicationRequest: {
    table: 'api.fct_medication_request_api',
    parents: ofPatientAndEncounter,
    targets: {
      ...clinicalFact,
      status: {
        kind: 'code',
        column: 'status',
        system: 'http://hl7.org/fhir/CodeSystem/medicationrequest-status',
      },
      intent: {
        kind: 'code',
        column: 'intent',
        system: 'http://hl7.org/fhir/CodeSystem/medicationrequest-intent',
      },
      authoredon: { kind: 'date', lo: 'authored_on', hi: 'authored_on', cast: 'timestamp' },
    },
    sorts: {
      ...common.sorts,
      authoredon: { column: 'authored_on', cast: 'timestamp' },
      status: { column: 'status', cast: 'varchar' },
      code: { column: 'code', cast: 'varchar' },
    },
  },
};

/** The mapping of one search parameter of `type`; throws for one the mart does not map. */
export function targetOf(type: ResourceType, param: string): SearchTarget {
  const target = MARTS[type].targets[param];
  if (!target) throw new Error(`${type}.${param} has no column in ${MARTS[type].table}`);
  return target;
}

/** The column of one `_sort` key of `type`. */
export function sortColumnOf(type: ResourceType, sort: string): SortColumn {
  const column = MARTS[type].sorts[sort];
  if (!column) throw new Error(`${type} _sort=${sort} has no column in ${MARTS[type].table}`);
  return column;
}
