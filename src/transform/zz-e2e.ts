import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLanding } from '../../ingestion/loader';
import { generateCohort } from '../../ingestion/synthetic';
import { createLocalObjectStore } from '../object-store';
import { createDuckDbWarehouse } from '../warehouse';
import { runTransform } from './index';

const n = Number(process.argv[2] ?? 50);
const dir = await mkdtemp(join(tmpdir(), 'tx-'));
const store = createLocalObjectStore({ root: dir });
let t = performance.now();
await generateCohort(store, { patients: n, orgs: 2, seed: 7 });
console.log('gen', ((performance.now() - t) / 1000).toFixed(1));
t = performance.now();
const wh = await createDuckDbWarehouse({ path: join(dir, 'w.duckdb') });
await loadLanding(store, wh, {});
console.log('load', ((performance.now() - t) / 1000).toFixed(1));
t = performance.now();
const r = await runTransform({
  warehouse: wh,
  projectDir: '/tmp/dx/dbt',
  command: 'build',
  env: { FHIR_TOKEN_SALT: 'salt-salt-salt-salt', FHIR_GATEWAY_DUCKDB_PATH: 'x' },
  output: process.argv[3]
    ? (l) => console.log(l)
    : (l) => {
        if (/ERROR|FAIL|WARN|Done|rror/.test(l)) console.log(l);
      },
});
console.log('transform', ((performance.now() - t) / 1000).toFixed(1), r.ok, process.memoryUsage().rss / 1e6);
await wh.close();
