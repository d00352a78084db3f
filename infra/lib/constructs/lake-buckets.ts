import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LANDING_PREFIX } from '../../../ingestion/landing/landing-keys';
import { acknowledge } from '../nag';

/** The key layout the app writes: Snowpipe reads only this, and a landed file there requests a dbt build. */
export { LANDING_PREFIX };
/**
 * Where Snowflake unloads (`COPY INTO @export_stage`) land in the export bucket. The gateway's own
 * export door writes its files under `jobs/export/` in the landing bucket today (one object store).
 */
export const EXPORT_PREFIX = 'exports/';
/** The ingestion door's job records and idempotency keys (ingestion/jobs/job-store.ts). */
export const INGESTION_JOBS_PREFIX = 'jobs/ingestion/';
/** Bulk Data export jobs and their output files, written by the gateway (src/export/export-service.ts). */
export const EXPORT_JOBS_PREFIX = 'jobs/export/';
/** The bulk flow's job records, manifests, checkpoints and ledgers (ingestion/bulk/bulk-job-store.ts). */
export const BULK_JOBS_PREFIX = 'jobs/bulk/';
/**
 * Refused lines with their reasons. The app's object store is one bucket, so they sit beside the
 * landing files today; the quarantine bucket is ready for the day the object store takes a bucket
 * per area.
 */
export { QUARANTINE_PREFIX } from '../../../ingestion/loader/quarantine';

/** The lake's buckets by role. */
export type LakeBucketKind = 'landing' | 'quarantine' | 'export' | 'access-logs';

/**
 * A lake bucket's physical name: `<prefix>-<kind>-<account>-<region>` (globally unique, ≤ 63
 * characters). Fixed so that other stacks, Snowflake's stage and the operator can name a bucket
 * without a cross-stack export, and so that IAM statements read the same before and after synthesis.
 */
export function lakeBucketName(prefix: string, kind: LakeBucketKind): string {
  return `${prefix}-${kind}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/** How cdk-nag prints a wildcard under a lake bucket's ARN in an IAM finding. */
export function lakeObjectsFinding(prefix: string, kind: LakeBucketKind, keyPrefix: string): string {
  return `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${prefix}-${kind}-<AWS::AccountId>-<AWS::Region>/${keyPrefix}*]`;
}

export interface LakeBucketsProps {
  prefix: string;
  key: kms.IKey;
  retain: boolean;
  accessLogRetentionDays: number;
  /** Snowpipe's AUTO_INGEST queue; landing files are announced to it once it is known. */
  pipeQueueArn?: string;
}

/**
 * The lake: `landing` (NDJSON as delivered; the Snowpipe source), `quarantine` (refused lines with
 * their reasons) and `export` (Bulk Data `$export` output files), all SSE-KMS with the data key,
 * private, TLS-only and versioned, logging every access to the `accessLogs` bucket.
 */
export class LakeBuckets extends Construct {
  readonly landing: s3.Bucket;
  readonly quarantine: s3.Bucket;
  readonly export: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakeBucketsProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const common = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
    } satisfies s3.BucketProps;

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...common,
      bucketName: lakeBucketName(props.prefix, 'access-logs'),
      // S3 server access logging can deliver only to SSE-S3 buckets.
      // See: https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays) },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
    acknowledge(this.accessLogs, [
      { id: 'AwsSolutions-S1', reason: 'This is the access-log bucket; logging it into itself would loop.' },
      { id: 'HIPAA.Security-S3BucketLoggingEnabled', reason: 'This is the access-log bucket itself.' },
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason: 'S3 server access logs can only be delivered to SSE-S3 (AES256) buckets.',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason: 'Access logs stay in-region; versioning and RETAIN protect them. See docs/deploy.md.',
      },
    ]);

    const dataBucket = (name: string, lifecycleRules: s3.LifecycleRule[], pipe?: string) => {
      const bucket = new s3.Bucket(this, name, {
        ...common,
        bucketName: lakeBucketName(props.prefix, name.toLowerCase() as LakeBucketKind),
        encryption: s3.BucketEncryption.KMS,
        encryptionKey: props.key,
        bucketKeyEnabled: true,
        serverAccessLogsBucket: this.accessLogs,
        serverAccessLogsPrefix: `${name.toLowerCase()}/`,
        lifecycleRules: [
          { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
          ...lifecycleRules,
        ],
      });
      acknowledge(bucket, [
        {
          id: 'HIPAA.Security-S3BucketReplicationEnabled',
          reason:
            'Single-region by design (data residency); versioning + RETAIN guard against loss. Cross-region replication is an account decision, docs/deploy.md.',
        },
      ]);
      if (pipe) announceToSnowpipe(bucket, pipe);
      return bucket;
    };

    this.landing = dataBucket(
      'Landing',
      [
        // Landed files are the lake's record: kept, moved to cheaper tiers once Snowpipe has them.
        {
          id: 'tier-landed-files',
          transitions: [
            { storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(30) },
          ],
        },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(90) },
      ],
      props.pipeQueueArn,
    );
    announceToEventBridge(this.landing);
    this.quarantine = dataBucket('Quarantine', [
      { id: 'expire-reviewed-quarantine', expiration: Duration.days(365) },
      { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) },
    ]);
    // Bulk Data output files are regenerable and their links expire: short-lived.
    this.export = dataBucket('Export', [
      { id: 'expire-export-files', expiration: Duration.days(7) },
      { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(1) },
    ]);
  }
}

/**
 * Every new landing file is announced to Snowpipe's queue (a queue Snowflake owns, whose policy
 * already admits S3). Set on the bucket itself rather than through CDK's notifications custom
 * resource: no extra Lambda, and CloudFormation validates the destination.
 * See: https://docs.snowflake.com/en/user-guide/data-load-snowpipe-auto-s3
 */
function announceToSnowpipe(bucket: s3.Bucket, queueArn: string) {
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.addPropertyOverride('NotificationConfiguration.QueueConfigurations', [
    {
      Event: 's3:ObjectCreated:*',
      Queue: queueArn,
      Filter: {
        S3Key: {
          Rules: [
            { Name: 'prefix', Value: LANDING_PREFIX },
            { Name: 'suffix', Value: '.ndjson' },
          ],
        },
      },
    },
  ]);
}

/**
 * The landing bucket's events also go to EventBridge, where a rule turns each landed file into a
 * dbt build request (./dbt-runner.ts). Set on the bucket itself, as the Snowpipe queue is.
 * See: https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
 */
function announceToEventBridge(bucket: s3.Bucket) {
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  cfn.addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration', { EventBridgeEnabled: true });
}
