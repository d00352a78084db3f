import type { App, Environment } from 'aws-cdk-lib';
import { ApiStack } from './api-stack';
import type { BulkFlowDefinition } from './constructs/bulk-ingestion';
import { DbtStack } from './dbt-stack';
import { IngestionStack } from './ingestion-stack';
import { ObservabilityStack } from './observability-stack';
import { PlatformStack } from './platform-stack';
import { type StageConfig, validateStageConfig } from './stage-config';
import { StorageStack } from './storage-stack';

/** The stacks of one stage, wired together. */
export interface FhirGatewayStacks {
  platform: PlatformStack;
  storage: StorageStack;
  api: ApiStack;
  ingestion: IngestionStack;
  dbt: DbtStack;
  observability: ObservabilityStack;
}

export interface FhirGatewayAppOptions {
  env?: Environment;
  /** The bulk-ingestion flow document builder (`ingestion/bulk/flow-definition.ts`). */
  bulkFlow: BulkFlowDefinition;
}

/** Adds one stage's stacks to `app` (named `FhirGateway-<Stage>-<Part>`). */
export function addFhirGatewayStacks(
  app: App,
  stageConfig: StageConfig,
  options: FhirGatewayAppOptions,
): FhirGatewayStacks {
  const config = validateStageConfig(stageConfig);
  const name = (part: string) =>
    `FhirGateway-${config.stage[0]!.toUpperCase()}${config.stage.slice(1)}-${part}`;
  const common = {
    env: options.env,
    tags: { project: 'fhir-gateway', stage: config.stage, 'data-classification': 'phi' },
  };
  const platform = new PlatformStack(app, name('Platform'), { ...common, config });
  const shared = { config, network: platform.network, logs: platform.logs, dataKey: platform.keys.data };
  const storage = new StorageStack(app, name('Storage'), { ...common, config, dataKey: platform.keys.data });
  const api = new ApiStack(app, name('Api'), { ...common, ...shared, secrets: platform.secrets });
  // Buckets are named, not referenced: the order is stated instead.
  api.addStackDependency(storage);
  const ingestion = new IngestionStack(app, name('Ingestion'), {
    ...common,
    ...shared,
    flow: options.bulkFlow,
  });
  ingestion.addStackDependency(storage);
  const { bulk } = ingestion;
  const dbt = new DbtStack(app, name('Dbt'), {
    ...common,
    ...shared,
    secrets: platform.secrets,
  });
  // The landing bucket is named, not referenced, as well.
  dbt.addStackDependency(storage);
  const functions = [
    { name: 'gateway', fn: api.gateway.fn },
    { name: 'authorizer', fn: api.authorizer.fn },
    ...Object.entries(bulk.functions).map(([key, f]) => ({ name: `bulk-${key}`, fn: f.fn })),
  ];
  const observability = new ObservabilityStack(app, name('Observability'), {
    ...common,
    config,
    dataKey: platform.keys.data,
    functions,
    api: api.api.api,
    stateMachines: [
      { name: 'bulk-ingestion', machine: bulk.stateMachine },
      { name: 'dbt-build', machine: dbt.runner.buildStarter },
    ],
    queues: [
      { name: 'dbt-start-dlq', queue: dbt.runner.deadLetters },
      { name: 'bulk-schedule-dlq', queue: bulk.scheduleDeadLetters },
    ],
    ledgerLogGroups: [bulk.functions.finalizeJob.logGroup],
  });
  return { platform, storage, api, ingestion, dbt, observability };
}
