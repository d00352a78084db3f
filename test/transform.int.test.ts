/**
 * The dbt project (dbt/) under dbt Core (dbt-duckdb), on a generated cohort: generate → land
 * (plus a batch with a newer version of one patient and two refused lines) → load → build, then
 * an incremental build of a second batch against a full refresh. Expectations come from the
 * landing files themselves, never from the SQL under test.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANDING_PREFIX, parseLandingKey } from '../ingestion/landing/landing-keys';
import { createLandingWriter } from '../ingestion/landing/landing-writer';
import { type LoadSummary, loadLanding } from '../ingestion/loader';
import { generateCohort } from '../ingestion/synthetic';
import { type Config, loadConfig } from '../src/config';
import { createLocalObjectStore, type ObjectStore } from '../src/object-store';
import { pseudonym } from '../src/pseudonyms';
import { DbtUnavailableError, transform } from '../src/transform';
import { openRawWarehouse, openWarehouse, type Warehouse } from '../src/warehouse';

const SALT = 'integration-salt-0123456789';
const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';
const MARTS = {
  Patient: 'api.dim_patient_api',
  Encounter: 'api.fct_encounter_api',
  Observation: 'api.fct_observation_api',
  Condition: 'api.fct_condition_api',
  MedicationRequest: 'api.fct_medication_request_api',
} as const;
type Served = keyof typeof MARTS;
type Resource = Record<string, unknown> & { id: string; resourceType: string };

let dir: string;
let config: Config;
let store: ObjectStore;
let warehouse: Warehouse;
let loaded: LoadSummary;
let lines: string[];
/** Every landing line by type: parsed (or null when it is not a resource) with its org. */
const landed = new Map<string, { org: string; resource: Resource | null }[]>();
let updatedPatient: Resource;

/** dbt's run_results.json of the last run: each node's status and message, and the invocation id. */
interface RunResults {
  metadata: { invocation_id: string };
  results: { unique_id: string; status: string; message: string | null }[];
}
const runResults = (): RunResults =>
  JSON.parse(readFileSync(join(dir, 'dbt', 'target', 'run_results.json'), 'utf8')) as RunResults;

const build = async (
  args: string[] = ['build'],
  options: { config?: Config; fullRefresh?: boolean } = {},
) => {
  lines = [];
  return transform(options.config ?? config, {
    args,
    fullRefresh: options.fullRefresh,
    output: (line) => lines.push(line),
  });
};

const load = async () => {
  const raw = await openRawWarehouse(config);
  try {
    return await loadLanding(store, raw);
  } finally {
    await raw.close();
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'transform-int-'));
  config = loadConfig({ DATA_DIR: dir, TOKEN_SALT: SALT, DBT_THREADS: '2' });
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
  loaded = await load();
  if ((await build()) !== 0) throw new Error(`build failed:\n${lines.slice(-30).join('\n')}`);
  warehouse = await openWarehouse(config);
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
    expect(valid('MedicationRequest').length).toBeGreaterThan(10);
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
      [pseudonym(SALT, org, 'Patient', updatedPatient.id)],
    );
    expect(row).toEqual({ gender: updatedPatient.gender });
  });

  it('computes the same tokens as src/pseudonyms pseudonym() for ids and MRN identifiers', async () => {
    const patients = valid('Patient');
    const expectedIds = [
      ...new Set(patients.map((p) => pseudonym(SALT, p.org, 'Patient', p.resource.id))),
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
            `${pseudonym(SALT, p.org, 'Patient', p.resource.id)}|${i.system}|${pseudonym(SALT, p.org, 'Identifier', i.value)}`,
        ),
    );
    const served = await warehouse.query<{ id: string; identifier_tokens: string | null }>(
      'select id, identifier_tokens from api.dim_patient_api',
    );
    const keys = served.flatMap((r) =>
      (r.identifier_tokens ?? '')
        .split(' ')
        .filter(Boolean)
        .map((t) => `${r.id}|${t}`),
    );
    expect(keys.sort()).toEqual([...new Set(mrns)].sort());
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

  it('is idempotent: a rebuild gives identical tokens and rows, published under a new build id', async () => {
    const before = await Promise.all((Object.keys(MARTS) as Served[]).map(martRows));
    const [firstBuild] = await warehouse.query('select build_id from api.build_info');

    expect(await build()).toBe(0);
    const { invocation_id } = runResults().metadata;
    expect(await Promise.all((Object.keys(MARTS) as Served[]).map(martRows))).toEqual(before);
    expect(await warehouse.query('select build_id from api.build_info')).toEqual([
      { build_id: invocation_id },
    ]);
    expect(firstBuild).not.toEqual({ build_id: invocation_id });
    const ids = new Set(before.flat().map((r) => (r as { id: string }).id));
    for (const id of sourceIds()) expect(ids.has(id)).toBe(false);
  }, 120_000);

  it('writes dbt artefacts: manifest.json with the models and their lineage, and docs catalog.json', async () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'dbt', 'target', 'manifest.json'), 'utf8')) as {
      nodes: Record<string, { depends_on: { nodes: string[] } }>;
    };
    expect(manifest.nodes['model.fhir_gateway.fct_encounter_api']!.depends_on.nodes.sort()).toEqual([
      'model.fhir_gateway.int_tokenize_encounter',
      'model.fhir_gateway.stg_vault__encounter',
    ]);
    expect(await build(['docs', 'generate'])).toBe(0);
    const catalog = JSON.parse(readFileSync(join(dir, 'dbt', 'target', 'catalog.json'), 'utf8')) as {
      nodes: Record<string, { columns: Record<string, unknown> }>;
    };
    expect(Object.keys(catalog.nodes['model.fhir_gateway.dim_patient_api']!.columns)).toContain('birth_date');
  }, 120_000);

  it("prepares DuckDB's spill directory, which DuckDB itself creates only one level deep", () => {
    // A cohort larger than DUCKDB_MEMORY_LIMIT spills there; before the launcher created it, the
    // 100k pipeline failed with "IO Error: Failed to create directory …/tmp/duckdb". This cohort is
    // too small to spill, so the test checks the precondition rather than a spill.
    const spill = join(dir, 'tmp', 'duckdb');
    expect(config.warehouse).toMatchObject({ kind: 'duckdb', tempDir: spill });
    expect(existsSync(spill)).toBe(true);
  });
});

describe('incremental builds', () => {
  const marts = () => Promise.all((Object.keys(MARTS) as Served[]).map(martRows));

  it('add a new batch without doubling a row, and equal a full refresh from raw', async () => {
    const before = await martRows('Patient');
    // A second batch: new patients, and the first batch's patient file delivered again under a new key.
    await generateCohort(store, { patients: 6, orgs: 2, seed: 32 });
    const [firstPatients] = [...(await listKeys())].filter((k) => k.includes('type=Patient'));
    await store.put(
      firstPatients!.replace(/batch=[^/]+/, 'batch=int-test-again'),
      await store.get(firstPatients!),
    );
    await readLanding();
    expect((await load()).files).toBeGreaterThan(1);

    expect(await build()).toBe(0);
    const incremental = await marts();
    const distinct = new Set(valid('Patient').map((l) => `${l.org}|${l.resource.id}`)).size;
    expect(incremental[0]!.length).toBe(distinct);
    expect(incremental[0]!.length).toBeGreaterThan(before.length);
    const selected = runResults().results.filter((r) => r.unique_id.startsWith('model.'));
    expect(selected.length).toBeGreaterThan(0);

    expect(await build(['build'], { fullRefresh: true })).toBe(0);
    expect(await marts()).toEqual(incremental);
  }, 300_000);

  it('remove a resource whose latest version is a tombstone, as a full refresh does', async () => {
    const encounter = valid('Encounter')[0]!;
    const condition = valid('Condition')[0]!;
    const request = valid('MedicationRequest')[0]!;
    const writer = createLandingWriter(store, { batchId: 'int-test-deleted' });
    for (const { org, resource } of [encounter, condition, request]) {
      const tombstone = {
        resourceType: resource.resourceType,
        id: resource.id,
        meta: {
          lastUpdated: '2030-01-01T00:00:00Z',
          tag: [{ system: 'urn:fhir-gateway:tombstone', code: 'deleted' }],
        },
      };
      await writer.writeLine(org, resource.resourceType, JSON.stringify(tombstone));
    }
    await writer.close();
    await load();
    const served = async (type: Served, org: string, id: string) =>
      (
        await warehouse.query(`select id from ${MARTS[type]} where organization_id = ? and id = ?`, [
          org,
          pseudonym(SALT, org, type, id),
        ])
      ).length;
    expect(await served('Encounter', encounter.org, encounter.resource.id)).toBe(1);

    expect(await build()).toBe(0);
    await pause(600);
    expect(await served('Encounter', encounter.org, encounter.resource.id)).toBe(0);
    expect(await served('Condition', condition.org, condition.resource.id)).toBe(0);
    expect(await served('MedicationRequest', request.org, request.resource.id)).toBe(0);
    const incremental = await marts();
    expect(await build(['build'], { fullRefresh: true })).toBe(0);
    await pause(600);
    expect(await marts()).toEqual(incremental);
  }, 300_000);
});

describe('publishing builds to the server', () => {
  it('keeps serving the previous build when a build fails, and switches when one succeeds', async () => {
    const [served] = await warehouse.query<{ build_id: string }>('select build_id from api.build_info');
    const broken = brokenCopy();
    edit(broken, 'models/marts/api/build_info.sql', (t) => `${t.trimEnd()}\nwhere no_such_column\n`);
    expect(await build(['build'], { config: withProject(broken) })).toBe(1);
    await pause(600);
    expect(await warehouse.query('select build_id from api.build_info')).toEqual([served]);

    expect(await build(['run', '--select', 'build_info'])).toBe(0);
    await pause(600);
    const [next] = await warehouse.query<{ build_id: string }>('select build_id from api.build_info');
    expect(next).toEqual({ build_id: runResults().metadata.invocation_id });
    expect(readdirSync(join(dir, 'warehouse', 'marts')).filter((f) => f.endsWith('.duckdb'))).toHaveLength(1);
  }, 180_000);
});

describe("a broken dbt project fails the run with dbt's message and exit code", () => {
  let broken: string;
  beforeAll(() => {
    broken = brokenCopy();
  });
  const result = () => runResults().results[0]!;

  it('a model that does not run', async () => {
    edit(
      broken,
      'models/marts/api/dim_patient_api.sql',
      (t) => `${t.trimEnd()}\nwhere no_such_column is null\n`,
    );
    const code = await build(['run', '--select', 'dim_patient_api'], { config: withProject(broken) });
    edit(broken, 'models/marts/api/dim_patient_api.sql', (t) =>
      t.replace('\nwhere no_such_column is null\n', '\n'),
    );

    expect(code).toBe(1);
    expect(result()).toMatchObject({ unique_id: 'model.fhir_gateway.dim_patient_api', status: 'error' });
    expect(result().message).toContain('no_such_column');
  });

  it('a broken contract', async () => {
    edit(broken, 'models/marts/api/dim_patient_api.yml', (t) =>
      t.replace(/(- name: gender\n\s+data_type: )varchar/, '$1integer'),
    );
    const code = await build(['run', '--select', 'dim_patient_api'], { config: withProject(broken) });

    expect(code).toBe(1);
    expect(result()).toMatchObject({ status: 'error' });
    expect(result().message).toMatch(/contract/i);
    expect(result().message).toContain('gender');
  });

  it('a failing data test', async () => {
    writeFileSync(
      join(broken, 'tests/assert_no_patients.sql'),
      "select id from {{ ref('dim_patient_api') }}\n",
    );
    const code = await build(['test', '--select', 'assert_no_patients'], { config: withProject(broken) });

    expect(code).toBe(1);
    expect(result()).toMatchObject({
      unique_id: 'test.fhir_gateway.assert_no_patients',
      status: 'fail',
      message: expect.stringContaining('Got '),
    });
  });

  it('a missing Python environment is one clear error naming the command that fixes it', async () => {
    const missing = { ...config, dbt: { ...config.dbt, executable: join(dir, 'no-venv', 'bin', 'dbt') } };
    await expect(build(['build'], { config: missing })).rejects.toThrow(DbtUnavailableError);
    await expect(build(['build'], { config: missing })).rejects.toThrow(/run `npm install`/);
  });
});

function brokenCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), 'dbt-broken-'));
  cpSync('dbt', copy, { recursive: true, filter: (src) => !/\/(target|logs)(\/|$)/.test(src) });
  return copy;
}
function edit(project: string, file: string, change: (t: string) => string) {
  writeFileSync(join(project, file), change(readFileSync(join(project, file), 'utf8')));
}
const withProject = (projectDir: string): Config => ({ ...config, dbt: { ...config.dbt, projectDir } });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function listKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of store.list(LANDING_PREFIX)) keys.push(object.key);
  return keys;
}
