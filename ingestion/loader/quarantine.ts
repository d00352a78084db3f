/**
 * Where refused lines go: `quarantine/fhir/org=<org>/type=<Type>/batch=<id>/part-<n>.ndjson`,
 * beside the landing part they came from, one JSON record per line with the reason. Records
 * stream into the store as they come, so a file of bad lines costs no memory.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ObjectStore } from '../../src/object-store';
import type { LandingKey } from '../landing/landing-keys';

export const QUARANTINE_PREFIX = 'quarantine/fhir/';

/** One quarantined line. */
export interface QuarantineRecord {
  source_key: string;
  source_row: number;
  reason: string;
  line: string;
}

export function quarantineKey(k: LandingKey): string {
  return `${QUARANTINE_PREFIX}org=${k.org}/type=${k.type}/batch=${k.batchId}/part-${String(k.part).padStart(5, '0')}.ndjson`;
}

export interface QuarantineSink {
  write(record: QuarantineRecord): Promise<void>;
  /** Finishes the object; resolves with its key, or null when nothing was quarantined. */
  close(): Promise<string | null>;
  /** Abandons a partly written object (the store never shows a partial put). */
  abort(): void;
}

export function createQuarantineSink(store: ObjectStore, key: string): QuarantineSink {
  let out: PassThrough | null = null;
  let upload: Promise<void> | null = null;
  let failure: unknown = null;

  const open = () => {
    out = new PassThrough({ highWaterMark: 256 * 1024 });
    out.on('error', () => undefined); // surfaced through `upload`
    upload = store.put(key, out, { contentType: 'application/x-ndjson' }).catch((error) => {
      failure = error;
      out?.destroy();
      throw error;
    });
    upload.catch(() => undefined);
    return out;
  };

  return {
    async write(record) {
      const stream = out ?? open();
      if (failure) throw failure;
      if (!stream.write(`${JSON.stringify(record)}\n`)) {
        await Promise.race([once(stream, 'drain'), upload]);
        if (failure) throw failure;
      }
    },
    async close() {
      if (!out) return null;
      out.end();
      await upload;
      return key;
    },
    abort() {
      out?.destroy(new Error('quarantine aborted'));
    },
  };
}
