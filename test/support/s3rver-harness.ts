/**
 * Test support: a real S3-compatible server (s3rver) on 127.0.0.1, in a child process. The
 * child runs with `--openssl-legacy-provider` because s3rver signs ListObjectsV2 continuation
 * tokens with DES, which OpenSSL 3 leaves out by default. The child exits when its stdin closes,
 * so it never outlives the test process.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3ObjectStore, type ObjectStore, type S3ObjectStoreOptions } from '../../src/object-store';

export interface S3rverHandle {
  endpoint: string;
  /** Credentials s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

const CHILD = `
import S3rver from ${JSON.stringify(createRequire(import.meta.url).resolve('s3rver'))};
const [directory, buckets] = process.argv.slice(1);
const server = new S3rver({
  address: '127.0.0.1', port: 0, directory, silent: true,
  configureBuckets: buckets.split(',').map((name) => ({ name, configs: [] })),
});
const { port } = await server.run();
process.stdout.write(port + '\\n');
process.stdin.on('data', () => undefined);
process.stdin.on('end', () => server.close().finally(() => process.exit(0)));
`;

/** Starts s3rver over `directory` with the given buckets on a random loopback port. */
export async function startS3rver(directory: string, buckets: string[]): Promise<S3rverHandle> {
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--input-type=module', '-e', CHILD, directory, buckets.join(',')],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited with code ${code} before listening`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

/** An S3 object store over a fresh s3rver (bucket `lake`, in a temp folder); `close` stops it and removes the folder. */
export async function openS3rverStore(
  options: Partial<S3ObjectStoreOptions> = {},
): Promise<{ store: ObjectStore; close(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = await startS3rver(dir, ['lake']);
  const store = createS3ObjectStore({
    bucket: 'lake',
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: server.credentials,
    ...options,
  });
  return {
    store,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
