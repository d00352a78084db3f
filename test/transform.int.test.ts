/**
 * The dbt project (dbt/) under the project's runner, on a generated cohort: generate → land
 * (plus a batch with a newer version of one patient and two refused lines) → load → build.
 * Expectations come from the landing files themselves, never from the SQL under test.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANDING_PREFIX, parseLandingKey } from '../ingestion/landing/landing-keys';
import { createLandingWriter } from '../ingestion/landing/landing-writer';
import { type LoadSummary, loadLanding } from '../ingestion/loader';
import { generateCohort } from '../ingestion/synthetic';
import { createLocalObjectStore, type ObjectStore } from '../src/object-store';
import { tokenize } from '../src/tokens';
import { runTransform, type TransformOptions } from '../src/transform';
import { createDuckDbWarehouse, type Warehouse } from '../src/warehouse';

const SALT = 'integration-salt-0123456789';
const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';
const MARTS = {
  Patient: 'api.dim_patient_api',
  Encounter: 'api.fct_encounter_api',
  Observation: 'api.fct_observation_api',
  Condition: 'api.fct_condition_api',
} as const;
type Served = keyof typeof MARTS;
type Resource = Record<string, unknown> & { id: string; resourceType: string };

let dir: string;
let store: ObjectStore;
let warehouse: Warehouse;
let loaded: LoadSummary;
let lines: string[];
/** Every landing line by type: parsed (or null when it is not a resource) with its org. */
const landed = new Map<string, { org: string; resource: Resource | null }[]>();
let updatedPatient: Resource;

const build = (options: Partial<TransformOptions> = {}) => {
  lines = [];
  return runTransform({
    warehouse,
    command: 'build',
    projectDir: 'dbt',
    env: { FHIR_TOKEN_SALT: SALT, FHIR_GATEWAY_DUCKDB_PATH: join(dir, 'warehouse.duckdb') },
    output: (line) => lines.push(line),
    ...options,
  });
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'transform-int-'));
  store = createLocalObjectStore({ root: dir });
  await generateCohort(store, { patients: 24, orgs: 2, seed: 31 });
  await readLanding();
  const [first] = landed.get('Patient')!;
  const meta = (first!.resource!.meta ?? {}) as Record<string, unknown>;
  updatedPatient = {
    ...first!.resource!,
    gender: first!.resource!.gender === 'female' ? 'male' : 'female',
    meta: { ...meta, lastUpdated: '2026-06-01T00:00:00Z' },
  };
  const writer = createLandingWriter(store, { batchId: 'int-test-redelivery' });
  await writer.writeLine(first!.org, 'Patient', JSON.stringify(updatedPatient));
  await writer.writeLine(first!.org, 'Patient', '{"resourceType": "Patient", "id": ');
  await writer.writeLine(first!.org, 'Encounter', JSON.stringify({ resourceType: 'Encounter' }));
  await writer.close();
  await readLanding();
  warehouse = await createDuckDbWarehouse({ path: join(dir, 'warehouse.duckdb') });
  loaded = await loadLanding(store, warehouse);
  const result = await build();
  if (!result.ok) throw new Error(`build failed:\n${lines.slice(-30).join('\n')}`);
});

afterAll(async () => {
  await warehouse?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function readLanding() {
  landed.clear();
  for await (const object of store.list(LANDING_PREFIX)) {
    const key = parseLandingKey(object.key);
    if (!key) continue;
    const list = landed.get(key.type) ?? [];
    for (const line of (await store.get(object.key)).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      let resource: Resource | null = null;
      try {
        const parsed = JSON.parse(line) as Resource;
        resource = parsed.id && parsed.resourceType === key.type ? parsed : null;
      } catch {}
      list.push({ org: key.org, resource });
    }
    landed.set(key.type, list);
  }
}

const valid = (type: string) =>
  (landed.get(type) ?? []).filter((l) => l.resource) as { org: string; resource: Resource }[];
const sourceIds = () =>
  new Set((Object.keys(MARTS) as Served[]).flatMap((type) => valid(type).map((l) => l.resource.id)));
const martRows = (type: Served) =>
  warehouse.query(`select * from ${MARTS[type]} order by organization_id, id`);

describe('dbt build of the generated cohort', () => {
  it('serves one row per resource: raw lines minus quarantined minus superseded versions', async () => {
    expect(loaded.quarantined).toBe(2);
    for (const type of Object.keys(MARTS) as Served[]) {
      const seen = landed.get(type)?.length ?? 0;
      const quarantined = seen - valid(type).length;
      const distinct = new Set(valid(type).map((l) => `${l.org}|${l.resource.id}`)).size;
      const superseded = valid(type).length - distinct;
      const [row] = await warehouse.query<{ n: number }>(`select count(*) as n from ${MARTS[type]}`);
      expect({ type, rows: row!.n }).toEqual({ type, rows: seen - quarantined - superseded });
      if (type === 'Patient') expect({ quarantined, superseded }).toEqual({ quarantined: 1, superseded: 1 });
    }
  });

  it('serves the latest version of a re-delivered patient', async () => {
    const org = landed.get('Patient')![0]!.org;
    const [row] = await warehouse.query<{ gender: string }>(
      'select gender from api.dim_patient_api where id = ?',
      [tokenize(SALT, org, 'Patient', updatedPatient.id)],
    );
    expect(row).toEqual({ gender: updatedPatient.gender });
  });

  it('computes the same tokens as src/tokens.ts tokenize() for ids and MRN identifiers', async () => {
    const patients = valid('Patient');
    const expectedIds = [
      ...new Set(patients.map((p) => tokenize(SALT, p.org, 'Patient', p.resource.id))),
    ].sort();
    const ids = (await warehouse.query<{ id: string }>('select id from api.dim_patient_api order by id')).map(
      (r) => r.id,
    );
    expect(ids).toEqual(expectedIds);

    const mrns = patients.flatMap((p) =>
      (
        (p.resource.identifier ?? []) as {
          system: string;
          value: string;
          type?: { coding?: { code: string }[] };
        }[]
      )
        .filter((i) => i.type?.coding?.some((c) => c.code === 'MR'))
        .map(
          (i) =>
            `${tokenize(SALT, p.org, 'Patient', p.resource.id)}|${i.system}|${tokenize(SALT, p.org, 'Identifier', i.value)}`,
        ),
    );
    const served = await warehouse.query<{ k: string }>(
      `select patient_id || '|' || system || '|' || value_token as k from api.dim_patient_identifier_api`,
    );
    expect(served.map((r) => r.k).sort()).toEqual([...new Set(mrns)].sort());
  });

  it('never serves an SSN or a source id, anywhere in the marts', async () => {
    const ssns = valid('Patient').flatMap((p) =>
      ((p.resource.identifier ?? []) as { system: string; value: string }[])
        .filter((i) => i.system === SSN_SYSTEM)
        .map((i) => i.value),
    );
    expect(ssns.length).toBeGreaterThan(0);
    const forbidden = new Set([...ssns, ...sourceIds()]);
    const tables = await warehouse.query<{ name: string }>(
      `select table_schema || '.' || table_name as name from information_schema.tables where table_schema = 'api'`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(5);
    for (const { name } of tables) {
      const dump = JSON.stringify(await warehouse.query(`select * from ${name}`));
      const leaked = dump.split(/[^A-Za-z0-9.-]+/).filter((piece) => forbidden.has(piece));
      expect({ name, leaked }).toEqual({ name, leaked: [] });
    }
  });

  it('is idempotent: a rebuild gives identical tokens and rows, and a new build id', async () => {
    const before = await Promise.all((Object.keys(MARTS) as Served[]).map(martRows));
    const [firstBuild] = await warehouse.query('select build_id from api.build_info');
    const again = await build();

    expect(again.ok).toBe(true);
    expect(await Promise.all((Object.keys(MARTS) as Served[]).map(martRows))).toEqual(before);
    expect(await warehouse.query('select build_id from api.build_info')).toEqual([
      { build_id: again.invocationId },
    ]);
    expect(firstBuild).not.toEqual({ build_id: again.invocationId });
    const ids = new Set(before.flat().map((r) => (r as { id: string }).id));
    for (const id of sourceIds()) expect(ids.has(id)).toBe(false);
  });
});

describe('a broken dbt project fails the run with a clear message', () => {
  let broken: string;
  beforeAll(() => {
    broken = mkdtempSync(join(tmpdir(), 'dbt-broken-'));
    cpSync('dbt', broken, { recursive: true, filter: (src) => !src.includes('/target') });
  });
  afterAll(() => rmSync(broken, { recursive: true, force: true }));
  const edit = (file: string, change: (t: string) => string) =>
    writeFileSync(join(broken, file), change(readFileSync(join(broken, file), 'utf8')));
  const selected = () => ({ projectDir: broken, select: ['dim_patient_api'] });

  it('a model that does not run', async () => {
    edit('models/marts/api/dim_patient_api.sql', (t) => `${t.trimEnd()}\nwhere no_such_column is null\n`);
    const result = await build({ ...selected(), command: 'run' });
    edit('models/marts/api/dim_patient_api.sql', (t) => t.replace('\nwhere no_such_column is null\n', '\n'));

    expect(result.ok).toBe(false);
    expect(result.results).toEqual([
      expect.objectContaining({ node: 'model.fhir_gateway.dim_patient_api', status: 'error' }),
    ]);
    expect(result.results[0]!.message).toContain('no_such_column');
  });

  it('a broken contract', async () => {
    edit('models/marts/api/dim_patient_api.yml', (t) =>
      t.replace(/(- name: gender\n\s+data_type: )varchar/, '$1integer'),
    );
    const result = await build({ ...selected(), command: 'run' });

    expect(result.results[0]).toMatchObject({ status: 'error' });
    expect(result.results[0]!.message).toContain(
      'model dim_patient_api: column gender has the wrong data type (expected integer, actual VARCHAR)',
    );
    expect(lines.at(-1)).toBe('Done. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1');
  });

  it('a failing data test', async () => {
    writeFileSync(
      join(broken, 'tests/assert_no_patients.sql'),
      "select id from {{ ref('dim_patient_api') }}\n",
    );
    const result = await build({ projectDir: broken, command: 'test', select: ['assert_no_patients'] });

    expect(result.ok).toBe(false);
    expect(result.results).toEqual([
      expect.objectContaining({
        node: 'test.fhir_gateway.assert_no_patients',
        status: 'fail',
        message: `Got ${valid('Patient').length - 1} results, configured to fail if !=0`,
      }),
    ]);
  });
});
