/**
 * One landing object written as a stream: lines are gathered into 64 KiB chunks and go straight
 * to the store's `put` (backpressure respected), so a segment costs no more memory than a few
 * chunks. Nothing is visible until `close`; `abort` abandons it (the store never shows a partial put).
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ObjectStore } from '../../src/object-store';

const CHUNK_BYTES = 64 * 1024;

export interface LineSink {
  /** Adds a line; returns a promise only when the caller must wait (a chunk went out under backpressure). */
  write(line: string): Promise<void> | undefined;
  close(): Promise<void>;
  abort(): void;
}

export function createLineSink(store: ObjectStore, key: string): LineSink {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  out.on('error', () => undefined); // surfaced through `upload`
  let failure: unknown = null;
  let pending: string[] = [];
  let pendingLength = 0;
  const upload = store.put(key, out, { contentType: 'application/fhir+ndjson' }).catch((error) => {
    failure = error;
    out.destroy();
    throw error;
  });
  upload.catch(() => undefined);
  const flush = async () => {
    if (failure) throw failure;
    if (pending.length === 0) return;
    const chunk = pending.join('');
    pending = [];
    pendingLength = 0;
    if (!out.write(chunk)) {
      await Promise.race([once(out, 'drain'), upload]);
      if (failure) throw failure;
    }
  };
  return {
    write(line) {
      pending.push(line, '\n');
      pendingLength += line.length + 1;
      return pendingLength >= CHUNK_BYTES ? flush() : undefined;
    },
    async close() {
      await flush();
      out.end();
      await upload;
    },
    abort() {
      pending = [];
      out.destroy(new Error('segment aborted'));
    },
  };
}
