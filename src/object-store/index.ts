export { createLocalObjectStore, type LocalObjectStoreOptions } from './local-object-store';
export {
  createLocalPresigner,
  type LocalPresignerOptions,
  PRESIGN_PATH,
  type PresignVerdict,
  verifyPresignedUrl,
} from './local-presigner';
export * from './object-store';
export { openObjectStore, resolvePresignSecret } from './open-object-store';
export { createS3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store';
