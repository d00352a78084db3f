import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { LogSettings } from './constructs/encrypted-log-group';
import { Network } from './constructs/network';
import { PlatformKeys } from './constructs/platform-keys';
import { PlatformSecrets } from './constructs/platform-secrets';
import type { StageConfig } from './stage-config';

export interface PlatformStackProps extends StackProps {
  config: StageConfig;
}

/** What every other stack stands on: the KMS keys, the VPC and the shared secrets. */
export class PlatformStack extends Stack {
  readonly keys: PlatformKeys;
  readonly network: Network;
  readonly secrets: PlatformSecrets;
  readonly logs: LogSettings;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.keys = new PlatformKeys(this, 'Keys', { prefix: config.prefix, retain: config.retainData });
    this.logs = { key: this.keys.logs, retentionDays: config.logRetentionDays, retain: config.retainData };
    this.network = new Network(this, 'Network', { natGateways: config.natGateways, logs: this.logs });
    this.secrets = new PlatformSecrets(this, 'Secrets', {
      prefix: config.prefix,
      key: this.keys.data,
      retain: config.retainData,
    });
  }
}
