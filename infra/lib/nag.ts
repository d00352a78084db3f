/**
 * cdk-nag (v3: the packs are CDK validation plugins; a finding is acknowledged through CDK's own
 * `Validations.of(scope).acknowledge`, on the resource or any construct above it). Loaded the
 * CommonJS way: its `index.js` re-exports through `__exportStar`, which Node's ESM loader cannot see
 * as named exports.
 */
import { createRequire } from 'node:module';
import { type App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

const nag = createRequire(import.meta.url)('cdk-nag') as typeof import('cdk-nag');

export const { AwsSolutionsChecks, HIPAASecurityChecks } = nag;

/** A finding accepted on purpose: the rule id (with `[finding]` for per-finding rules) and why. */
export interface Acknowledgement {
  id: string;
  reason: string;
}

/** Acknowledges findings on `scopes` and everything below them; every one carries its reason. */
export function acknowledge(scopes: IConstruct | IConstruct[], acks: Acknowledgement[]): void {
  for (const scope of Array.isArray(scopes) ? scopes : [scopes]) {
    for (const ack of acks) Validations.of(scope).acknowledge(ack);
  }
}

/** The two packs a HIPAA review runs, fresh instances (they keep state between runs). */
export function createNagPacks() {
  return [
    new AwsSolutionsChecks(undefined, { verbose: true }),
    new HIPAASecurityChecks(undefined, { verbose: true }),
  ];
}

/** Registers both packs on the app: synthesis stops on any unacknowledged finding. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
    new HIPAASecurityChecks(app, { verbose: true }),
  );
}

/**
 * The IAM5 finding id cdk-nag reports for a wildcard under `resource`'s ARN, e.g.
 * `AwsSolutions-IAM5[Resource::<LakeLanding2ADFF402.Arn>/landing/fhir/*]`.
 */
export function wildcardUnder(resource: IConstruct, suffix: string): string {
  const cfn = resource.node.defaultChild as CfnElement;
  return `AwsSolutions-IAM5[Resource::<${Stack.of(cfn).getLogicalId(cfn)}.Arn>${suffix}]`;
}
