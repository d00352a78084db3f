/**
 * The five uncached-serving scenarios of the Medplum comparison (issue 11), each rotating over
 * 50 patients of the cohort's first organization: a read by id, an Observation search by patient
 * and code, one by code alone, an Encounter search by patient and a Patient search by MRN.
 */
import { pseudonym } from '../../../src/pseudonyms';
import type { TestWarehouse } from '../../support/cohort';

export interface Scenario {
  name: string;
  /** What Medplum (Node + PostgreSQL 15 + Redis) answered on a machine of this kind, req/s. */
  medplumRps: number;
  /** 50 request paths, rotated through by every connection. */
  paths: string[];
}

const HBA1C = encodeURIComponent('http://loinc.org|4548-4');
const ROTATION = 50;

/** The scenarios over `cohort`'s organization `org` (patients with the most observations first). */
export function servingScenarios(cohort: TestWarehouse, org: string): Scenario[] {
  const patients = (cohort.ndjson.get('Patient') ?? []).filter((p) => p.org === org);
  const observations = new Map<string, number>();
  for (const o of cohort.ndjson.get('Observation') ?? []) {
    if (o.org !== org) continue;
    const ref = String((o.resource.subject as { reference?: string } | undefined)?.reference ?? '');
    const id = ref.slice(ref.indexOf('/') + 1);
    observations.set(id, (observations.get(id) ?? 0) + 1);
  }
  const chosen = [...patients]
    .sort((a, b) => (observations.get(b.resource.id) ?? 0) - (observations.get(a.resource.id) ?? 0))
    .slice(0, ROTATION);
  if (chosen.length < ROTATION) throw new Error(`the cohort has fewer than ${ROTATION} patients in ${org}`);
  const served = chosen.map((p) => pseudonym(cohort.salt, org, 'Patient', p.resource.id));
  const mrns = chosen.map((p) => {
    const mrn = (p.resource.identifier as { system: string; value: string }[]).find((i) =>
      i.system.endsWith('/mrn'),
    );
    if (!mrn) throw new Error('a generated patient without an MRN');
    return encodeURIComponent(`${mrn.system}|${mrn.value}`);
  });
  const every = (path: (i: number) => string) => Array.from({ length: ROTATION }, (_, i) => path(i));
  return [
    { name: 'Patient/{id}', medplumRps: 549, paths: every((i) => `/v1/fhir/Patient/${served[i]}`) },
    {
      name: 'Observation?patient&code',
      medplumRps: 341,
      paths: every((i) => `/v1/fhir/Observation?patient=${served[i]}&code=${HBA1C}&_count=50`),
    },
    {
      name: 'Observation?code',
      medplumRps: 124,
      // One query for every connection: Medplum's figure is for the same search repeated.
      paths: [`/v1/fhir/Observation?code=${HBA1C}&_count=50`],
    },
    {
      name: 'Encounter?patient',
      medplumRps: 320,
      paths: every((i) => `/v1/fhir/Encounter?patient=${served[i]}&_count=50`),
    },
    {
      name: 'Patient?identifier',
      medplumRps: 399,
      paths: every((i) => `/v1/fhir/Patient?identifier=${mrns[i]}`),
    },
  ];
}
