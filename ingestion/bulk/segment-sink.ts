/**
 * One landing object written as a stream: lines go straight to the store's `put` (backpressure
 * respected), so a segment costs no more memory than a buffer. Nothing is visible until `close`;
 * `abort` abandons it (the store never shows a partial put).
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ObjectStore } from '../../src/object-store';

export interface LineSink {
  write(line: string): Promise<void>;
  close(): Promise<void>;
  abort(): void;
}

export function createLineSink(store: ObjectStore, key: string): LineSink {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  out.on('error', () => undefined); // surfaced through `upload`
  let failure: unknown = null;
  const upload = store.put(key, out, { contentType: 'application/fhir+ndjson' }).catch((error) => {
    failure = error;
    out.destroy();
    throw error;
  });
  upload.catch(() => undefined);
  return {
    async write(line) {
      if (failure) throw failure;
      if (!out.write(`${line}\n`)) {
        await Promise.race([once(out, 'drain'), upload]);
        if (failure) throw failure;
      }
    },
    async close() {
      out.end();
      await upload;
    },
    abort() {
      out.destroy(new Error('segment aborted'));
    },
  };
}
