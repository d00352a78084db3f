import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { DbtRunner } from './constructs/dbt-runner';
import type { LogSettings } from './constructs/encrypted-log-group';
import { lakeBucketName } from './constructs/lake-buckets';
import type { Network } from './constructs/network';
import type { PlatformSecrets } from './constructs/platform-secrets';
import type { StageConfig } from './stage-config';

export interface DbtStackProps extends StackProps {
  config: StageConfig;
  network: Network;
  logs: LogSettings;
  dataKey: kms.IKey;
  secrets: PlatformSecrets;
}

/** The dbt runner (ECS Fargate) and its triggers: files landed in the lake, and a schedule. */
export class DbtStack extends Stack {
  readonly runner: DbtRunner;

  constructor(scope: Construct, id: string, props: DbtStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.runner = new DbtRunner(this, 'Dbt', {
      prefix: config.prefix,
      network: props.network,
      logs: props.logs,
      dataKey: props.dataKey,
      retain: config.retainData,
      snowflake: config.snowflake,
      snowflakeKeySecretArn: props.secrets.snowflakeDbtKey.secretArn,
      tokenSaltSecretArn: props.secrets.tokenSalt.secretArn,
      cpu: config.dbt.cpu,
      memoryMiB: config.dbt.memoryMiB,
      schedule: config.dbt.schedule,
      landingBucketName: lakeBucketName(config.prefix, 'landing'),
      batchingSeconds: config.dbt.batchingSeconds,
    });
  }
}
