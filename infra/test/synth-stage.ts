/**
 * Test support: one stage's stacks built the way `bin/app.ts` builds them (same cdk.json context,
 * same props), in a temporary cloud assembly. Lambda bundling runs for real (local esbuild).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { bulkIngestionFlow } from '../../ingestion/bulk/flow-definition';
import { repoPath } from '../lib/constructs/repo-paths';
import { addFhirGatewayStacks, type FhirGatewayStacks } from '../lib/fhir-gateway-app';
import { STAGES, type StageConfig } from '../lib/stage-config';

const CONTEXT = JSON.parse(readFileSync(repoPath('infra/cdk.json'), 'utf8')).context as Record<
  string,
  unknown
>;

export interface SynthesizedStage {
  app: App;
  stacks: FhirGatewayStacks;
  /** Every stack of the stage, present ones only. */
  all: Stack[];
  template: (stack: Stack) => Template;
  config: StageConfig;
}

/** Builds a stage (optionally with some props changed) into a fresh temporary assembly. */
export async function synthStage(
  stage: StageConfig['stage'],
  change: (config: StageConfig) => StageConfig = (c) => c,
): Promise<SynthesizedStage> {
  const config = change(structuredClone(STAGES[stage]));
  const app = new App({ context: CONTEXT, outdir: mkdtempSync(join(tmpdir(), 'fhir-gateway-cdk-')) });
  const stacks = addFhirGatewayStacks(app, config, {
    env: { account: '123456789012', region: 'us-east-1' },
    bulkFlow: bulkIngestionFlow,
  });
  const all = Object.values(stacks).filter((s): s is Stack => s !== undefined);
  const templates = new Map<Stack, Template>();
  const template = (stack: Stack) => {
    if (!templates.has(stack)) templates.set(stack, Template.fromStack(stack));
    return templates.get(stack)!;
  };
  return { app, stacks, all, template, config };
}
