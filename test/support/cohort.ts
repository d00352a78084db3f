/**
 * A real warehouse for gateway tests, built from a generated cohort: generate → load → dbt Core
 * into a temp data dir, with a fixed test salt. Returns the generator's raw resources too, so tests can
 * compute their expectations independently of the serving SQL. Cached by options within a test file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LANDING_PREFIX, parseLandingKey } from '../../ingestion/landing/landing-keys';
import { loadLanding } from '../../ingestion/loader';
import { generateCohort } from '../../ingestion/synthetic';
import { loadConfig } from '../../src/config';
import { createLocalObjectStore } from '../../src/object-store';
import { transform } from '../../src/transform';
import { openRawWarehouse, openWarehouse, type Warehouse } from '../../src/warehouse';

export const TEST_SALT = 'test-salt-0123456789abcdef';

export type RawResource = Record<string, unknown> & { resourceType: string; id: string };

/** A generated resource with the organization (tenant) it was landed for. */
export interface CohortResource {
  org: string;
  resource: RawResource;
}

export interface TestWarehouse {
  warehouse: Warehouse;
  salt: string;
  dir: string;
  organizations: string[];
  /** The generator's raw resources by type (source ids, PHI in clear), with their organization. */
  ndjson: Map<string, CohortResource[]>;
  close(): Promise<void>;
}

export interface CohortOptions {
  patients: number;
  orgs: number;
  seed: number;
}

const cache = new Map<string, Promise<TestWarehouse>>();

export function buildTestWarehouse(options: CohortOptions): Promise<TestWarehouse> {
  const key = JSON.stringify(options);
  let built = cache.get(key);
  if (!built) {
    built = build(options);
    cache.set(key, built);
  }
  return built;
}

async function build(options: CohortOptions): Promise<TestWarehouse> {
  const dir = await mkdtemp(join(tmpdir(), 'fhir-gateway-cohort-'));
  const config = loadConfig({ DATA_DIR: dir, TOKEN_SALT: TEST_SALT, DBT_THREADS: '2' });
  const store = createLocalObjectStore({ root: dir });
  await generateCohort(store, options);
  const raw = await openRawWarehouse(config);
  await loadLanding(store, raw).finally(() => raw.close());
  const lines: string[] = [];
  const code = await transform(config, {
    args: ['run', '--select', '+path:models/marts/api'],
    output: (line) => lines.push(line),
  });
  if (code !== 0) throw new Error(`transform failed:\n${lines.slice(-20).join('\n')}`);
  const warehouse = await openWarehouse(config);
  const ndjson = new Map<string, CohortResource[]>();
  for await (const object of store.list(LANDING_PREFIX)) {
    const key = parseLandingKey(object.key);
    if (!key) continue;
    const list = ndjson.get(key.type) ?? [];
    for (const line of (await store.get(object.key)).toString('utf8').split('\n')) {
      if (line.trim()) list.push({ org: key.org, resource: JSON.parse(line) as RawResource });
    }
    ndjson.set(key.type, list);
  }
  const organizations = [...new Set([...ndjson.values()].flat().map((r) => r.org))].sort();
  let closed = false;
  return {
    warehouse,
    salt: TEST_SALT,
    dir,
    organizations,
    ndjson,
    async close() {
      if (closed) return;
      closed = true;
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
