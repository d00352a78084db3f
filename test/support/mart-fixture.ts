/**
 * TEMPORARY stand-in for the real pipeline (generator → loader → dbt runner) while those land:
 * builds a few FHIR resources per organization and fills the `api.*` marts of
 * dbt/API_MARTS.md from them in TypeScript. Replaced by `buildTestWarehouse` on the real pipeline.
 */
import { tokenize } from '../../src/tokens';
import type { Warehouse } from '../../src/warehouse';

type Json = Record<string, unknown>;
const MRN = 'http://hospital.example.org/mrn';
const LOINC = 'http://loinc.org';
const FAMILIES = ['García', 'Smith', 'Müller', 'Nguyen', 'Okafor', 'Smithson', "O'Brien", 'Lee'];
const GIVENS = ['María José', 'John', 'Zoë', 'Ann', 'Jean-Luc', 'Anna', 'Bo', 'Chloé'];
const CODES = [
  ['4548-4', 'Hemoglobin A1c', '%', 5.7],
  ['8867-4', 'Heart rate', '/min', 72],
  ['29463-7', 'Body weight', 'kg', 70.5],
] as const;

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Generates raw FHIR resources per organization (source ids, PHI in clear). */
export function generateFixtureResources(options: { patients: number; orgs: number; seed: number }) {
  const r = rng(options.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: { org: string; resource: Json }[] = [];
  for (let o = 0; o < options.orgs; o++) {
    const org = `org-${String.fromCharCode(97 + o)}`;
    for (let p = 0; p < options.patients; p++) {
      const pid = `p${o}-${p}`;
      const birth = `19${50 + Math.floor(r() * 50)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`;
      out.push({
        org,
        resource: {
          resourceType: 'Patient',
          id: pid,
          identifier: [
            { system: MRN, value: `MRN${o}${p}`, type: { coding: [{ code: 'MR' }] } },
            {
              system: 'http://hl7.org/fhir/sid/us-ssn',
              value: `999-${p}`,
              type: { coding: [{ code: 'SS' }] },
            },
          ],
          name: [{ use: 'official', family: pick(FAMILIES), given: pick(GIVENS).split(' ') }],
          gender: pick(['male', 'female', 'other', 'unknown']),
          birthDate: birth,
        },
      });
      const encounters = Math.floor(r() * 4);
      for (let e = 0; e < encounters; e++) {
        const eid = `${pid}-e${e}`;
        const start = Date.UTC(2018 + Math.floor(r() * 5), Math.floor(r() * 12), 1 + Math.floor(r() * 27), 8);
        const open = r() < 0.15;
        out.push({
          org,
          resource: {
            resourceType: 'Encounter',
            id: eid,
            status: open ? 'in-progress' : 'finished',
            class: {
              system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
              code: pick(['AMB', 'IMP', 'EMER']),
            },
            subject: { reference: `Patient/${pid}` },
            period: open
              ? { start: new Date(start).toISOString() }
              : {
                  start: new Date(start).toISOString(),
                  end: new Date(start + r() * 3 * 86_400_000).toISOString(),
                },
          },
        });
        for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
          const [code, display, unit, mean] = pick(CODES);
          out.push({
            org,
            resource: {
              resourceType: 'Observation',
              id: `${eid}-o${k}`,
              status: 'final',
              category: [
                {
                  coding: [
                    {
                      system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                      code: code === '4548-4' ? 'laboratory' : 'vital-signs',
                    },
                  ],
                },
              ],
              code: { coding: [{ system: LOINC, code, display }] },
              subject: { reference: `Patient/${pid}` },
              encounter: { reference: `Encounter/${eid}` },
              effectiveDateTime: new Date(start + k * 3_600_000).toISOString(),
              valueQuantity: {
                value: Math.round(mean * (0.8 + r() * 0.4) * 10) / 10,
                unit,
                system: 'http://unitsofmeasure.org',
                code: unit,
              },
            },
          });
        }
        if (r() < 0.5) {
          out.push({
            org,
            resource: {
              resourceType: 'Condition',
              id: `${eid}-c`,
              clinicalStatus: {
                coding: [
                  {
                    system: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
                    code: pick(['active', 'resolved']),
                  },
                ],
              },
              code: { coding: [{ system: 'http://snomed.info/sct', code: pick(['44054006', '38341003']) }] },
              subject: { reference: `Patient/${pid}` },
              encounter: { reference: `Encounter/${eid}` },
              onsetDateTime: new Date(start).toISOString(),
            },
          });
        }
      }
    }
  }
  return out;
}

const DDL = `
create schema if not exists api;
create table api.dim_patient_api (organization_id varchar, id varchar, family varchar, given varchar,
  family_search varchar, given_search varchar, name_search varchar, family_exact varchar, given_exact varchar,
  name_exact varchar, birth_date date, gender varchar, last_updated timestamp, resource varchar);
create table api.dim_patient_identifier_api (organization_id varchar, patient_id varchar, system varchar, value_token varchar);
create table api.fct_encounter_api (organization_id varchar, id varchar, patient_id varchar, status varchar,
  class_code varchar, type_system varchar, type_code varchar, type_tokens varchar, period_start timestamp,
  period_end timestamp, last_updated timestamp, resource varchar);
create table api.fct_observation_api (organization_id varchar, id varchar, patient_id varchar, encounter_id varchar,
  status varchar, category varchar, category_tokens varchar, code_system varchar, code varchar, code_display varchar,
  code_tokens varchar, effective_start timestamp, effective_end timestamp, value_quantity double, value_unit varchar,
  value_system varchar, value_code varchar, last_updated timestamp, resource varchar);
create table api.fct_condition_api (organization_id varchar, id varchar, patient_id varchar, encounter_id varchar,
  clinical_status varchar, verification_status varchar, category_tokens varchar, code_system varchar, code varchar,
  code_display varchar, code_tokens varchar, onset_start timestamp, abatement_start timestamp, recorded_date date,
  last_updated timestamp, resource varchar);
create table api.build_info (build_id varchar, built_at timestamp);
insert into api.build_info values ('fixture-build', now());
`;

const norm = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
const searchCol = (parts: string[]) => ` ${parts.map(norm).join(' ')} `;
const exactCol = (parts: string[]) => `|${parts.join('|')}|`;
const ts = (iso: unknown) => (typeof iso === 'string' ? iso.replace('T', ' ').replace('Z', '') : null);
const tokens = (cc: unknown) => {
  const codings = ((cc as Json | undefined)?.coding as Json[] | undefined) ?? [];
  return ` ${codings.map((c) => `${c.system ?? ''}|${c.code}`).join(' ')} `;
};

/** Creates the marts in `warehouse` and fills them from `resources`, tokenizing ids with `salt`. */
export async function loadFixtureMarts(
  warehouse: Warehouse,
  salt: string,
  resources: { org: string; resource: Json }[],
): Promise<void> {
  await warehouse.execute(DDL);
  const lastUpdated = '2024-01-01 00:00:00';
  for (const { org, resource: raw } of resources) {
    const type = raw.resourceType as string;
    const t = (ty: string, id: string) => tokenize(salt, org, ty, id);
    const ref = (r: unknown) => {
      const [ty, id] = String((r as Json | undefined)?.reference ?? '').split('/');
      return ty && id ? t(ty, id) : null;
    };
    const served: Json = {
      ...raw,
      id: t(type, raw.id as string),
      meta: { lastUpdated: '2024-01-01T00:00:00Z' },
    };
    for (const k of ['subject', 'encounter'] as const) {
      const v = raw[k] as Json | undefined;
      if (v) served[k] = { reference: `${String(v.reference).split('/')[0]}/${ref(v)}` };
    }
    const id = served.id as string;
    if (type === 'Patient') {
      const mrns = (raw.identifier as Json[]).filter((i) => i.system === MRN);
      served.identifier = mrns.map((i) => ({ ...i, value: t('Identifier', i.value as string) }));
      const name = (raw.name as Json[])[0]!;
      const given = name.given as string[];
      const family = name.family as string;
      await warehouse.query(
        'insert into api.dim_patient_api values (?,?,?,?,?,?,?,?,?,?,cast(? as date),?,cast(? as timestamp),?)',
        [
          org,
          id,
          family,
          given.join(' '),
          searchCol([family]),
          searchCol(given),
          searchCol([family, ...given]),
          exactCol([family]),
          exactCol(given),
          exactCol([family, ...given]),
          raw.birthDate as string,
          raw.gender as string,
          lastUpdated,
          JSON.stringify(served),
        ],
      );
      for (const i of mrns) {
        await warehouse.query('insert into api.dim_patient_identifier_api values (?,?,?,?)', [
          org,
          id,
          MRN,
          t('Identifier', i.value as string),
        ]);
      }
    } else if (type === 'Encounter') {
      const period = raw.period as Json;
      await warehouse.query(
        'insert into api.fct_encounter_api values (?,?,?,?,?,null,null,null,cast(? as timestamp),cast(? as timestamp),cast(? as timestamp),?)',
        [
          org,
          id,
          ref(raw.subject),
          raw.status as string,
          (raw.class as Json).code as string,
          ts(period.start),
          ts(period.end),
          lastUpdated,
          JSON.stringify(served),
        ],
      );
    } else if (type === 'Observation') {
      const coding = ((raw.code as Json).coding as Json[])[0]!;
      const q = raw.valueQuantity as Json;
      const category = (((raw.category as Json[])[0]!.coding as Json[])[0]!.code as string) ?? null;
      await warehouse.query(
        'insert into api.fct_observation_api values (?,?,?,?,?,?,?,?,?,?,?,cast(? as timestamp),cast(? as timestamp),?,?,?,?,cast(? as timestamp),?)',
        [
          org,
          id,
          ref(raw.subject),
          ref(raw.encounter),
          raw.status as string,
          category,
          tokens((raw.category as Json[])[0]),
          coding.system as string,
          coding.code as string,
          coding.display as string,
          tokens(raw.code),
          ts(raw.effectiveDateTime),
          ts(raw.effectiveDateTime),
          q.value as number,
          q.unit as string,
          q.system as string,
          q.code as string,
          lastUpdated,
          JSON.stringify(served),
        ],
      );
    } else if (type === 'Condition') {
      const coding = ((raw.code as Json).coding as Json[])[0]!;
      const status = ((raw.clinicalStatus as Json).coding as Json[])[0]!.code as string;
      await warehouse.query(
        'insert into api.fct_condition_api values (?,?,?,?,?,null,null,?,?,null,?,cast(? as timestamp),null,null,cast(? as timestamp),?)',
        [
          org,
          id,
          ref(raw.subject),
          ref(raw.encounter),
          status,
          coding.system as string,
          coding.code as string,
          tokens(raw.code),
          ts(raw.onsetDateTime),
          lastUpdated,
          JSON.stringify(served),
        ],
      );
    }
  }
}
