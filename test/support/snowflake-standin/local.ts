/**
 * `npm run snowflake:local`: the Snowflake stand-in on 127.0.0.1:64616 holding the current local
 * cohort (the raw tables of `.data/warehouse/raw-tables.duckdb` and the served marts build), and
 * the environment that points the gateway at it. Runs until Ctrl-C.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config';
import { currentBuildFile } from '../../../src/warehouse/duckdb-builds';
import { startSnowflakeStandin } from './standin';
import { runStandinBuild, standinEnv, throwawayKey } from './standin-cohort';

const PORT = 64616;
const config = loadConfig();
const w = config.warehouse;
if (w.kind !== 'duckdb')
  throw new Error('snowflake:local builds from the local DuckDB cohort: unset WAREHOUSE');
const marts = await currentBuildFile(w.martsDir);
if (!marts) {
  console.error(
    'No local cohort yet: run `npm start` (or `npx fhir-gateway generate`, `load`, `transform`) first.',
  );
  process.exit(1);
}
const root = join(config.dataDir, 'snowflake-standin');
const dbPath = join(root, 'db');
await rm(dbPath, { recursive: true, force: true });
await mkdir(root, { recursive: true });
console.error(`building the stand-in's database from ${w.rawPath} and ${marts} …`);
await runStandinBuild(['--db-path', dbPath, '--raw', w.rawPath, '--marts', marts]);
const standin = await startSnowflakeStandin({ port: PORT, dbPath });
const keyPath = join(root, 'key.pem');
await writeFile(keyPath, throwawayKey(), { mode: 0o600 });
console.error(`the Snowflake stand-in listens on ${standin.accessUrl}; point the gateway at it with:\n`);
for (const [k, v] of Object.entries(standinEnv(standin.accessUrl, keyPath))) console.log(`export ${k}=${v}`);
console.error('\nthen `npx fhir-gateway serve`. Ctrl-C stops the stand-in.');
const stop = () => void standin.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
