/**
 * S3 adapter: streamed multipart uploads (`@aws-sdk/lib-storage`), streamed gets, paginated
 * listing in key order, presigned GET/PUT URLs (`@aws-sdk/s3-request-presigner`), and the
 * multipart calls a partner's large upload goes through (create, presigned `UploadPart` URLs,
 * complete). Works with any S3-compatible endpoint (`endpoint` + `forcePathStyle`).
 * See: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  assertSafeKey,
  MultipartUploadError,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
} from './object-store';

export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, a local stand-in); AWS when absent. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Explicit credentials; the SDK's default provider chain when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * When the SDK adds and checks flexible checksums: `WHEN_SUPPORTED` (the SDK default) sends
   * aws-chunked bodies that some S3-compatible servers refuse; `WHEN_REQUIRED` (default here) does not.
   */
  checksums?: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
  /** Multipart part size in bytes (default and minimum 5 MiB). */
  partSize?: number;
  /** Parts uploaded at the same time (default 2). */
  queueSize?: number;
  /** Keys per LIST request (default 1000, the S3 maximum). */
  listPageSize?: number;
}

export function createS3ObjectStore(options: S3ObjectStoreOptions): ObjectStore {
  const checksums = options.checksums ?? 'WHEN_REQUIRED';
  const client = new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
  });
  const Bucket = options.bucket;
  const partSize = Math.max(options.partSize ?? 5 * 1024 * 1024, 5 * 1024 * 1024);

  const getObject = async (key: string) => {
    assertSafeKey(key);
    try {
      return await client.send(new GetObjectCommand({ Bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key);
      throw error;
    }
  };

  return {
    kind: 's3',
    async put(key, body, putOptions) {
      assertSafeKey(key);
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: body, ContentType: putOptions?.contentType },
        partSize,
        queueSize: options.queueSize ?? 2,
        leavePartsOnError: false,
      });
      await upload.done();
    },
    async get(key) {
      const { Body } = await getObject(key);
      return Buffer.from(await Body!.transformToByteArray());
    },
    async stream(key) {
      const { Body } = await getObject(key);
      return Body instanceof Readable ? Body : Readable.fromWeb(Body!.transformToWebStream() as never);
    },
    async *list(prefix) {
      for await (const page of paginateListObjectsV2(
        { client, pageSize: options.listPageSize },
        { Bucket, Prefix: prefix },
      )) {
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          yield {
            key: o.Key,
            size: o.Size ?? 0,
            lastModified: o.LastModified ?? new Date(0),
          } satisfies ObjectInfo;
        }
      }
    },
    async exists(key) {
      assertSafeKey(key);
      try {
        await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    async delete(key) {
      assertSafeKey(key);
      await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
    },
    async presign(key, presignOptions) {
      assertSafeKey(key);
      const { part } = presignOptions;
      const expiresIn = presignOptions.expiresInSeconds;
      if (presignOptions.method === 'GET') {
        return getSignedUrl(client, new GetObjectCommand({ Bucket, Key: key }), { expiresIn });
      }
      if (part) {
        const command = new UploadPartCommand({
          Bucket,
          Key: key,
          UploadId: part.uploadId,
          PartNumber: part.partNumber,
        });
        return getSignedUrl(client, command, { expiresIn });
      }
      const command = new PutObjectCommand({ Bucket, Key: key, ContentType: presignOptions.contentType });
      return getSignedUrl(client, command, { expiresIn });
    },
    async createMultipartUpload(key, createOptions) {
      assertSafeKey(key);
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket, Key: key, ContentType: createOptions?.contentType }),
      );
      return UploadId!;
    },
    async uploadPart(key, uploadId, partNumber, body) {
      assertSafeKey(key);
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      const { ETag } = await multipart(() =>
        client.send(
          new UploadPartCommand({
            Bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: Buffer.concat(chunks),
          }),
        ),
      );
      return ETag!;
    },
    async completeMultipartUpload(key, uploadId, parts) {
      assertSafeKey(key);
      await multipart(() =>
        client.send(
          new CompleteMultipartUploadCommand({
            Bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
          }),
        ),
      );
    },
    async abortMultipartUpload(key, uploadId) {
      assertSafeKey(key);
      await multipart(() =>
        client.send(new AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId })),
      );
    },
  };
}

/** Runs a multipart call, turning S3's refusals into `MultipartUploadError`s. */
async function multipart<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'NoSuchUpload' || name === 'InvalidPart' || name === 'InvalidPartOrder') {
      throw new MultipartUploadError(name, (error as Error).message);
    }
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}
