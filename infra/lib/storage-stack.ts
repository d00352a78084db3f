import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { LakeBuckets } from './constructs/lake-buckets';
import { SnowflakeIntegrationRole } from './constructs/snowflake-integration-role';
import type { StageConfig } from './stage-config';

export interface StorageStackProps extends StackProps {
  config: StageConfig;
  dataKey: kms.IKey;
}

/** The lake buckets and the role Snowflake's storage integration assumes to read them. */
export class StorageStack extends Stack {
  readonly buckets: LakeBuckets;
  readonly integrationRole: SnowflakeIntegrationRole;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.buckets = new LakeBuckets(this, 'Lake', {
      prefix: config.prefix,
      key: props.dataKey,
      retain: config.retainData,
      accessLogRetentionDays: config.accessLogRetentionDays,
      pipeQueueArn: config.snowflake.pipeQueueArn,
    });
    this.integrationRole = new SnowflakeIntegrationRole(this, 'SnowflakeIntegration', {
      roleName: `${config.prefix}-snowflake-integration`,
      lake: config.prefix,
      key: props.dataKey,
      trust: config.snowflake.storageIntegration,
    });
    new CfnOutput(this, 'LandingBucketName', { value: this.buckets.landing.bucketName });
    new CfnOutput(this, 'ExportBucketName', { value: this.buckets.export.bucketName });
    new CfnOutput(this, 'SnowflakeIntegrationRoleArn', { value: this.integrationRole.role.roleArn });
  }
}
