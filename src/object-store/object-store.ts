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
  /** A PUT of one part of a multipart upload (S3 `UploadPart`) instead of the whole object. */
  part?: { uploadId: string; partNumber: number };
}

/** A part as the uploader reports it at completion: its number and the ETag its PUT answered. */
export interface UploadedPart {
  partNumber: number;
  etag: string;
}

/** The highest part number S3 accepts. See: https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MAX_PARTS = 10_000;

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
  /** A time-limited URL that lets its holder GET or PUT exactly this key (or one part of its upload). */
  presign(key: string, options: PresignOptions): Promise<string>;
  /**
   * Starts a multipart upload of `key` (S3 `CreateMultipartUpload`): parts are PUT separately,
   * then joined by `completeMultipartUpload`; until then nothing is visible at `key`.
   */
  createMultipartUpload(key: string, options?: { contentType?: string }): Promise<string>;
  /** Stores one part; answers its ETag. (S3 adapter: the part is buffered; partners PUT to presigned URLs instead.) */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Readable): Promise<string>;
  /** Joins the listed parts, in ascending part number, into the object at `key`, atomically. */
  completeMultipartUpload(key: string, uploadId: string, parts: UploadedPart[]): Promise<void>;
  /** Drops an unfinished multipart upload and its parts. */
  abortMultipartUpload(key: string, uploadId: string): Promise<void>;
}

/** A multipart request S3 would refuse: an unknown upload, a part that is not there, parts out of order. */
export class MultipartUploadError extends Error {
  constructor(
    readonly code: 'NoSuchUpload' | 'InvalidPart' | 'InvalidPartOrder',
    message: string,
  ) {
    super(message);
    this.name = 'MultipartUploadError';
  }
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
