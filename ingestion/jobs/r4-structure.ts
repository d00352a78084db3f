/**
 * The R4 structure checks the ingestion API runs on every entry at runtime: the required
 * elements and the coded values (required bindings) of the supported types, and the shape of
 * the datatypes the marts read (Reference, CodeableConcept, Coding, dates). It is deliberately
 * small: the full StructureDefinition validator (`@medplum/core`) is a dev dependency, used by the
 * tests to confirm that what it calls invalid this calls invalid too (`r4-structure.test.ts`).
 * See: https://hl7.org/fhir/R4/patient.html, encounter.html, observation.html, condition.html,
 * medicationrequest.html
 */
import type { SupportedType } from '../ndjson';

/** One structural problem: a FHIRPath-like location and what is wrong there. */
export interface StructureIssue {
  expression: string;
  diagnostics: string;
}

type Json = Record<string, unknown>;
type Check = (resource: Json, issues: StructureIssue[]) => void;

const DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
const DATE_TIME =
  /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function code(values: readonly string[]) {
  return (value: unknown) => typeof value === 'string' && values.includes(value);
}

function coding(value: unknown): boolean {
  return (
    isObject(value) &&
    (value.system === undefined || typeof value.system === 'string') &&
    (value.code === undefined || typeof value.code === 'string')
  );
}

function codeableConcept(value: unknown): boolean {
  return (
    isObject(value) &&
    (value.coding === undefined || (Array.isArray(value.coding) && value.coding.every(coding))) &&
    (value.text === undefined || typeof value.text === 'string')
  );
}

function reference(value: unknown): boolean {
  return isObject(value) && (value.reference === undefined || typeof value.reference === 'string');
}

/** `name` must be present and satisfy `valid`; `array` elements each. */
function required(name: string, valid: (v: unknown) => boolean, what: string, array = false): Check {
  return (resource, issues) => {
    const value = resource[name];
    if (value === undefined || value === null || (array && Array.isArray(value) && value.length === 0)) {
      issues.push({ expression: `${resource.resourceType}.${name}`, diagnostics: `${name} is required` });
      return;
    }
    optional(name, valid, what, array)(resource, issues);
  };
}

function optional(name: string, valid: (v: unknown) => boolean, what: string, array = false): Check {
  return (resource, issues) => {
    const value = resource[name];
    if (value === undefined) return;
    const ok = array ? Array.isArray(value) && value.every(valid) : valid(value);
    if (!ok) {
      issues.push({
        expression: `${resource.resourceType}.${name}`,
        diagnostics: `${name} must be ${array ? 'an array of ' : ''}${what}`,
      });
    }
  };
}

const string = (v: unknown) => typeof v === 'string';
const date = (v: unknown) => typeof v === 'string' && DATE.test(v);
const dateTime = (v: unknown) => typeof v === 'string' && DATE_TIME.test(v);
const period = (v: unknown) =>
  isObject(v) && (v.start === undefined || dateTime(v.start)) && (v.end === undefined || dateTime(v.end));

const OBSERVATION_STATUS = ['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled'];
const CHECKS: Record<SupportedType, Check[]> = {
  Organization: [
    optional('name', string, 'a string'),
    optional('active', (v) => typeof v === 'boolean', 'a boolean'),
  ],
  Patient: [
    optional('gender', code(['male', 'female', 'other', 'unknown']), 'male | female | other | unknown'),
    optional('birthDate', date, 'a FHIR date'),
    optional('name', isObject, 'HumanName', true),
    optional('identifier', isObject, 'Identifier', true),
    optional('managingOrganization', reference, 'a Reference'),
  ],
  Encounter: [
    required(
      'status',
      code([
        'planned',
        'arrived',
        'triaged',
        'in-progress',
        'onleave',
        'finished',
        'cancelled',
        'entered-in-error',
        'unknown',
      ]),
      'an Encounter status code',
    ),
    required('class', coding, 'a Coding'),
    optional('subject', reference, 'a Reference'),
    optional('period', period, 'a Period'),
    optional('type', codeableConcept, 'CodeableConcept', true),
  ],
  Observation: [
    required(
      'status',
      code([...OBSERVATION_STATUS, 'entered-in-error', 'unknown']),
      'an Observation status code',
    ),
    required('code', codeableConcept, 'a CodeableConcept'),
    optional('subject', reference, 'a Reference'),
    optional('encounter', reference, 'a Reference'),
    optional('category', codeableConcept, 'CodeableConcept', true),
    optional('effectiveDateTime', dateTime, 'a FHIR dateTime'),
    optional('effectivePeriod', period, 'a Period'),
    optional(
      'valueQuantity',
      (v) => isObject(v) && (v.value === undefined || typeof v.value === 'number'),
      'a Quantity with a numeric value',
    ),
  ],
  Condition: [
    required('subject', reference, 'a Reference'),
    optional('code', codeableConcept, 'a CodeableConcept'),
    optional('clinicalStatus', codeableConcept, 'a CodeableConcept'),
    optional('verificationStatus', codeableConcept, 'a CodeableConcept'),
    optional('encounter', reference, 'a Reference'),
    optional('onsetDateTime', dateTime, 'a FHIR dateTime'),
    optional('recordedDate', dateTime, 'a FHIR dateTime'),
  ],
  MedicationRequest: [
    required(
      'status',
      code([
        'active',
        'on-hold',
        'cancelled',
        'completed',
        'entered-in-error',
        'stopped',
        'draft',
        'unknown',
      ]),
      'a MedicationRequest status code',
    ),
    required(
      'intent',
      code([
        'proposal',
        'plan',
        'order',
        'original-order',
        'reflex-order',
        'filler-order',
        'instance-order',
        'option',
      ]),
      'a MedicationRequest intent code',
    ),
    required('subject', reference, 'a Reference'),
    optional('medicationCodeableConcept', codeableConcept, 'a CodeableConcept'),
    optional('medicationReference', reference, 'a Reference'),
    optional('encounter', reference, 'a Reference'),
    optional('authoredOn', dateTime, 'a FHIR dateTime'),
    optional('dosageInstruction', isObject, 'Dosage', true),
  ],
};

/** The structural problems of a resource of a supported type (empty when it is well formed). */
export function checkStructure(type: SupportedType, resource: Json): StructureIssue[] {
  const issues: StructureIssue[] = [];
  for (const check of CHECKS[type]) check(resource, issues);
  if (resource.meta !== undefined && !isObject(resource.meta)) {
    issues.push({ expression: `${type}.meta`, diagnostics: 'meta must be a Meta object' });
  }
  return issues;
}
