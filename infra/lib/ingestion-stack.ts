import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { type BulkFlowDefinition, BulkIngestion } from './constructs/bulk-ingestion';
import type { LogSettings } from './constructs/encrypted-log-group';
import type { Network } from './constructs/network';
import type { StageConfig } from './stage-config';

export interface IngestionStackProps extends StackProps {
  config: StageConfig;
  network: Network;
  logs: LogSettings;
  dataKey: kms.IKey;
  /** `bulkIngestionFlow` from `ingestion/bulk/flow-definition.ts`. */
  flow: BulkFlowDefinition;
}

/** Bulk Data ingestion from EHRs: the project's flow document and handlers (`ingestion/bulk/`). */
export class IngestionStack extends Stack {
  readonly bulk: BulkIngestion;

  constructor(scope: Construct, id: string, props: IngestionStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.bulk = new BulkIngestion(this, 'Bulk', {
      prefix: config.prefix,
      network: props.network,
      logs: props.logs,
      dataKey: props.dataKey,
      retain: config.retainData,
      reservedConcurrency: config.bulk.reservedConcurrency,
      sources: config.bulk.sources,
      client: config.bulk.client,
      auth: config.auth,
      flow: props.flow,
    });
  }
}
