import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalObjectStore } from '../../src/object-store';
import { createDuckDbWarehouse } from '../../src/warehouse';
import { landingKey } from '../landing/landing-keys';
import { loadLanding } from './load-landing';

const child = fileURLToPath(new URL('../../test/support/kill-child-loader.ts', import.meta.url));
const lines = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => `{"resourceType":"Observation","id":"${prefix}-${i}"}`).join('\n');
/** DuckDB's appender hands rows to the table every 204,800 rows: stall well past that. */
const SECOND_FILE_LINES = 260_000;
const STALL_AFTER = 215_000;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loader-kill-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a load killed in the middle of a file', () => {
  it('leaves nothing of that file, and the next run loads it fully, once', async () => {
    const store = createLocalObjectStore({ root: join(dir, 'lake') });
    const first = landingKey({ org: 'org-a', type: 'Observation', batchId: 'b1', part: 0 });
    const second = landingKey({ org: 'org-a', type: 'Observation', batchId: 'b1', part: 1 });
    await store.put(first, lines(100, 'a'));
    await store.put(second, lines(SECOND_FILE_LINES, 'b'));
    const dbPath = join(dir, 'warehouse.duckdb');
    const stagingDir = join(dir, 'staging');

    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', child, join(dir, 'lake'), dbPath, String(STALL_AFTER), stagingDir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    const exit = new Promise<NodeJS.Signals | null>((resolve) =>
      proc.on('exit', (_, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      proc.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('MID')) resolve();
      });
      proc.on('exit', () => reject(new Error(`child exited before the middle of the file: ${out}`)));
    });
    proc.kill('SIGKILL');
    expect(await exit).toBe('SIGKILL');
    expect(out).toBe(`DONE ${first}\nMID\n`);

    const warehouse = await createDuckDbWarehouse({ path: dbPath });
    try {
      const afterKill = await warehouse.query(
        'select source_file, count(*) as n from raw.fhir_observation group by 1 order by 1',
      );
      expect(afterKill).toEqual([{ source_file: first, n: 100 }]);
      expect(await warehouse.query('select object_key from raw.load_history')).toEqual([
        { object_key: first },
      ]);

      expect(existsSync(stagingDir)).toBe(true);
      expect(await loadLanding(store, warehouse, { stagingDir })).toMatchObject({
        files: 1,
        loaded: SECOND_FILE_LINES,
        quarantined: 0,
      });
      expect(existsSync(stagingDir)).toBe(false);
      expect(await loadLanding(store, warehouse)).toMatchObject({ files: 0, loaded: 0 });
      expect(
        await warehouse.query(
          `select source_file, count(*) as n, count(distinct source_row) as rows, count(distinct resource_id) as ids
           from raw.fhir_observation group by 1 order by 1`,
        ),
      ).toEqual([
        { source_file: first, n: 100, rows: 100, ids: 100 },
        { source_file: second, n: SECOND_FILE_LINES, rows: SECOND_FILE_LINES, ids: SECOND_FILE_LINES },
      ]);
    } finally {
      await warehouse.close();
    }
  });
});
