import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledge } from '../nag';
import { type LakeBucketKind, lakeBucketName, lakeObjectsFinding } from './lake-buckets';

/** What a principal may do under one key prefix of one lake bucket. */
export interface PrefixGrant {
  /** The lake's name prefix (`fhir-gateway-<stage>`) and the bucket's kind. */
  lake: string;
  bucket: Exclude<LakeBucketKind, 'access-logs'>;
  /** A key prefix ending in `/`, e.g. `landing/fhir/`. */
  prefix: string;
  access: readonly ('read' | 'write' | 'delete' | 'list')[];
}

const OBJECT_ACTIONS = {
  read: ['s3:GetObject'],
  // Large files go up as multipart uploads (lib-storage), which may need aborting.
  write: ['s3:PutObject', 's3:AbortMultipartUpload'],
  delete: ['s3:DeleteObject'],
} as const;

/**
 * Grants exactly the listed S3 actions — named one by one, no wildcard actions — on each prefix,
 * and the data key only as used through S3 in this region (`kms:ViaService`).
 * CDK's `bucket.grant*` helpers would add `s3:GetObject*`, `s3:List*`, `kms:ReEncrypt*` and more.
 */
export function grantLakeAccess(role: iam.Role, key: kms.IKey, grants: PrefixGrant[]): void {
  const kmsActions = new Set<string>();
  for (const { lake, bucket: kind, prefix, access } of grants) {
    const bucket = bucketOf(role, lake, kind);
    const objectActions = access.flatMap((a) => (a === 'list' ? [] : OBJECT_ACTIONS[a]));
    if (objectActions.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({ actions: objectActions, resources: [bucket.arnForObjects(`${prefix}*`)] }),
      );
      acknowledge(role, [
        {
          id: lakeObjectsFinding(lake, kind, prefix),
          reason: `Objects under ${prefix} are this principal's to ${access.join('/')}: keys are created at run time (org, type, batch), so only the prefix can be named.`,
        },
      ]);
    }
    if (access.includes('list')) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
        }),
      );
    }
    if (access.includes('read') || access.includes('write')) kmsActions.add('kms:Decrypt');
    if (access.includes('write')) kmsActions.add('kms:GenerateDataKey');
  }
  if (kmsActions.size > 0) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [...kmsActions].sort(),
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(key).region}.amazonaws.com` } },
      }),
    );
  }
}

/**
 * Lets `role` read `secrets` (and only read), with the data key usable only through Secrets
 * Manager. Written on the role's side: `secret.grantRead` would also edit the key's policy in the
 * platform stack and make it depend on every consumer.
 */
export function grantSecretsRead(role: iam.IRole, key: kms.IKey, secrets: secretsmanager.ISecret[]): void {
  if (secrets.length === 0) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: secrets.map((s) => s.secretArn),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(key).region}.amazonaws.com` },
      },
    }),
  );
}

/** The lake bucket by its fixed name, imported into the role's own stack (no cross-stack export). */
function bucketOf(role: iam.Role, lake: string, kind: LakeBucketKind): s3.IBucket {
  const id = `Lake-${kind}`;
  const stack = Stack.of(role);
  return (
    (stack.node.tryFindChild(id) as s3.IBucket | undefined) ??
    s3.Bucket.fromBucketName(stack, id, lakeBucketName(lake, kind))
  );
}
