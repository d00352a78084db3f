/**
 * A real warehouse for gateway tests, built from a generated cohort: generate → load → transform
 * into a temp dir, with a fixed test salt. Returns the generator's raw resources too, so tests can
 * compute their expectations independently of the serving SQL. Cached by options within a test file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDuckDbWarehouse, type Warehouse } from '../../src/warehouse';
import { generateFixtureResources, loadFixtureMarts } from './mart-fixture';

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
  const warehouse = await createDuckDbWarehouse({ path: join(dir, 'warehouse.duckdb') });
  const resources = generateFixtureResources(options);
  await loadFixtureMarts(warehouse, TEST_SALT, resources);
  const ndjson = new Map<string, CohortResource[]>();
  for (const r of resources) {
    const list = ndjson.get(r.resource.resourceType as string) ?? [];
    list.push(r as CohortResource);
    ndjson.set(r.resource.resourceType as string, list);
  }
  const organizations = [...new Set(resources.map((r) => r.org))].sort();
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
