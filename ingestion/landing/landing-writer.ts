/**
 * Writes resources into the landing area as NDJSON, one series of parts per (org, type), each
 * part rolled once it reaches `maxPartBytes`. A part becomes visible only when it is complete
 * (the store's put is atomic), so the loader never sees half a file.
 */
import type { ObjectStore } from '../../src/object-store';
import { landingKey } from './landing-keys';

export interface LandingWriterOptions {
  batchId: string;
  /** Roll a part when it reaches this many bytes (default 8 MiB). */
  maxPartBytes?: number;
}

export interface LandingSummary {
  batchId: string;
  files: { key: string; lines: number; bytes: number }[];
  lines: number;
  bytes: number;
}

interface OpenPart {
  part: number;
  chunks: string[];
  bytes: number;
  lines: number;
}

export function createLandingWriter(store: ObjectStore, options: LandingWriterOptions) {
  const maxPartBytes = options.maxPartBytes ?? 8 * 1024 * 1024;
  const open = new Map<string, OpenPart & { org: string; type: string }>();
  const files: LandingSummary['files'] = [];
  const pending = new Set<Promise<void>>();

  const flush = async (series: OpenPart & { org: string; type: string }) => {
    if (series.lines === 0) return;
    const key = landingKey({
      org: series.org,
      type: series.type,
      batchId: options.batchId,
      part: series.part,
    });
    const body = series.chunks.join('');
    files.push({ key, lines: series.lines, bytes: series.bytes });
    series.part += 1;
    series.chunks = [];
    series.bytes = 0;
    series.lines = 0;
    await store.put(key, body, { contentType: 'application/fhir+ndjson' });
  };

  return {
    /** Appends one NDJSON line (a serialized resource, no newline) for `org`/`type`. */
    async writeLine(org: string, type: string, json: string): Promise<void> {
      const id = `${org}\u0000${type}`;
      let series = open.get(id);
      if (!series) {
        series = { org, type, part: 0, chunks: [], bytes: 0, lines: 0 };
        open.set(id, series);
      }
      const line = `${json}\n`;
      series.chunks.push(line);
      series.bytes += Buffer.byteLength(line);
      series.lines += 1;
      if (series.bytes >= maxPartBytes) {
        const p = flush(series);
        pending.add(p);
        await p.finally(() => pending.delete(p));
      }
    },
    /** Appends a resource, landing it under its own `resourceType`. */
    writeResource(org: string, resource: { resourceType: string }): Promise<void> {
      return this.writeLine(org, resource.resourceType, JSON.stringify(resource));
    },
    /** Flushes the open parts and returns what was written, in key order. */
    async close(): Promise<LandingSummary> {
      await Promise.all(pending);
      for (const series of open.values()) await flush(series);
      files.sort((a, b) => (a.key < b.key ? -1 : 1));
      return {
        batchId: options.batchId,
        files,
        lines: files.reduce((n, f) => n + f.lines, 0),
        bytes: files.reduce((n, f) => n + f.bytes, 0),
      };
    },
  };
}

export type LandingWriter = ReturnType<typeof createLandingWriter>;
