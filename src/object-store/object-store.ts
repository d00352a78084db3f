/**
 * The object store port: the lake's landing, quarantine and job areas. Adapters: a local folder
 * (default) and S3. Large objects stream in both directions; nothing here reads a whole
 * NDJSON file into memory except `get`, which is for small objects (job records, manifests).
 */
import type { Readable } from 'node:stream';

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export type ObjectBody = string | Uint8Array | Readable;

export interface PresignOptions {
  method: 'GET' | 'PUT';
  expiresInSeconds: number;
  contentType?: string;
}

export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** Writes an object atomically: readers see the old object or the whole new one, never a part. */
  put(key: string, body: ObjectBody, options?: { contentType?: string }): Promise<void>;
  /** Reads a small object whole. Throws `ObjectNotFoundError` when missing. */
  get(key: string): Promise<Buffer>;
  /** Streams an object's bytes. Throws `ObjectNotFoundError` when missing. */
  stream(key: string): Promise<Readable>;
  /** Lists the objects under a prefix, in ascending key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** A time-limited URL that lets its holder GET or PUT exactly this key. */
  presign(key: string, options: PresignOptions): Promise<string>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`No object at ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

/** Keys are relative, '/'-separated, and never climb out of the store. */
export function assertSafeKey(key: string): void {
  if (
    !key ||
    key.startsWith('/') ||
    key.split('/').some((p) => p === '..' || p === '.' || p === '') ||
    key.includes('\\')
  ) {
    throw new Error(`Unsafe object key: ${JSON.stringify(key)}`);
  }
}
