import type { App, Environment } from 'aws-cdk-lib';
import { ApiStack } from './api-stack';
import { PlatformStack } from './platform-stack';
import { type StageConfig, validateStageConfig } from './stage-config';
import { StorageStack } from './storage-stack';

/** The stacks of one stage, wired together. */
export interface FhirGatewayStacks {
  platform: PlatformStack;
  storage: StorageStack;
  api: ApiStack;
}

/** Adds one stage's stacks to `app` (named `FhirGateway-<Stage>-<Part>`). */
export function addFhirGatewayStacks(app: App, stageConfig: StageConfig, env?: Environment): FhirGatewayStacks {
  const config = validateStageConfig(stageConfig);
  const name = (part: string) => `FhirGateway-${config.stage[0]!.toUpperCase()}${config.stage.slice(1)}-${part}`;
  const common = { env, tags: { project: 'fhir-gateway', stage: config.stage, 'data-classification': 'phi' } };
  const platform = new PlatformStack(app, name('Platform'), { ...common, config });
  const storage = new StorageStack(app, name('Storage'), { ...common, config, dataKey: platform.keys.data });
  const api = new ApiStack(app, name('Api'), {
    ...common,
    config,
    network: platform.network,
    logs: platform.logs,
    dataKey: platform.keys.data,
    secrets: platform.secrets,
  });
  // Buckets are named, not referenced: the order is stated instead.
  api.addStackDependency(storage);
  return { platform, storage, api };
}
