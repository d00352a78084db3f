/**
 * Lands a partner's files (NDJSON, or JSON holding one resource or a Bundle) in the landing
 * area under one organization and a fresh batch. Every line is landed under the type it declares
 * — a line that is not JSON or declares no type lands under `type=Unparsed` — so the loader's
 * validator, not this function, decides what is quarantined: nothing is dropped on the way in.
 * See: https://hl7.org/fhir/R4/nd-json.html and https://hl7.org/fhir/R4/bundle.html
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { ObjectStore } from '../../src/object-store';
import { readLines } from '../ndjson';
import { createLandingWriter, type LandingSummary } from './landing-writer';

/** The type segment for lines that declare no usable resource type. */
export const UNPARSED_TYPE = 'Unparsed';
const TYPE = /^[A-Z][A-Za-z]{0,63}$/;
/** A JSON document (not NDJSON) is read whole; larger ones must come as NDJSON. */
const MAX_JSON_DOCUMENT_BYTES = 256 * 1024 * 1024;

/** A new batch id: time-ordered and never reused. */
export function newBatchId(prefix: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '').slice(0, 15);
  return `${prefix}-${stamp}-${randomBytes(4).toString('hex')}`;
}

function declaredType(line: string): string {
  try {
    const value: unknown = JSON.parse(line);
    const type = (value as { resourceType?: unknown } | null)?.resourceType;
    return typeof type === 'string' && TYPE.test(type) ? type : UNPARSED_TYPE;
  } catch {
    return UNPARSED_TYPE;
  }
}

/** The resources a JSON document carries: a Bundle's entries, or the document itself. */
function resourcesOf(document: unknown): unknown[] {
  const bundle = document as { resourceType?: unknown; entry?: unknown };
  if (bundle?.resourceType === 'Bundle' && Array.isArray(bundle.entry)) {
    return bundle.entry.map((e) => (e as { resource?: unknown } | null)?.resource ?? e);
  }
  return [document];
}

export async function landFiles(
  store: ObjectStore,
  options: { org: string; paths: string[]; batchId?: string; onFile?: (path: string, bytes: number) => void },
): Promise<LandingSummary> {
  const writer = createLandingWriter(store, { batchId: options.batchId ?? newBatchId('ingest') });
  for (const path of options.paths) {
    const { size } = await stat(path);
    if (/\.json$/i.test(path)) {
      if (size > MAX_JSON_DOCUMENT_BYTES)
        throw new Error(`${path}: JSON documents over 256 MiB must be sent as NDJSON`);
      const text = await readFile(path, 'utf8');
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch {
        await writer.writeLine(options.org, UNPARSED_TYPE, JSON.stringify({ unparsed: text }));
        options.onFile?.(path, size);
        continue;
      }
      for (const resource of resourcesOf(document)) {
        const line = JSON.stringify(resource);
        await writer.writeLine(options.org, declaredType(line), line);
      }
    } else {
      for await (const line of readLines(createReadStream(path))) {
        await writer.writeLine(options.org, line.error ? UNPARSED_TYPE : declaredType(line.text), line.text);
      }
    }
    options.onFile?.(path, size);
  }
  return writer.close();
}
