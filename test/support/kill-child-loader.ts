/**
 * Child process for the atomicity test: loads a landing folder into a DuckDB file, but the
 * stream of `part-00001` stops after `STALL_AFTER_LINES` lines and says `MID` on stdout, so the
 * parent can kill -9 it in the middle of that file.
 */
import { Readable } from 'node:stream';
import { loadLanding } from '../../ingestion/loader/load-landing';
import { createLocalObjectStore, type ObjectStore } from '../../src/object-store';
import { createDuckDbWarehouse } from '../../src/warehouse';

const [root, dbPath, stallAfter, stagingDir] = process.argv.slice(2) as [string, string, string, string];
const inner = createLocalObjectStore({ root });
const store: ObjectStore = {
  ...inner,
  async stream(key) {
    const source = await inner.stream(key);
    if (!key.endsWith('part-00001.ndjson')) return source;
    async function* stalling() {
      let lines = 0;
      let said = false;
      for await (const chunk of source) {
        const text = (chunk as Buffer).toString('latin1');
        for (const ch of text) if (ch === '\n') lines += 1;
        yield chunk as Buffer;
        if (lines >= Number(stallAfter) && !said) {
          said = true;
          await new Promise((r) => setTimeout(r, 200));
          process.stdout.write('MID\n');
          await new Promise(() => undefined);
        }
      }
    }
    return Readable.from(stalling(), { highWaterMark: 1 });
  },
};
const warehouse = await createDuckDbWarehouse({ path: dbPath });
await loadLanding(store, warehouse, {
  concurrency: 1,
  stagingDir,
  onFile: (f) => process.stdout.write(`DONE ${f.key}\n`),
});
