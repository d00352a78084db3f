import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it, vi } from 'vitest';
import { createNagPacks } from '../lib/nag';
import { synthStage } from './synth-stage';

// Each synthesis bundles six Lambdas with esbuild and stages the dbt image context: slow on a busy machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

/** Every acknowledgement recorded anywhere under `scope`: rule id → reason. */
function acknowledgements(scope: Stack): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string | { reason: string }>).map(([id, v]) => ({
          path: c.node.path,
          id,
          reason: typeof v === 'string' ? v : v.reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions and HIPAA Security packs', () => {
  for (const stage of ['dev', 'prod'] as const) {
    it(`find nothing unacknowledged in any ${stage} stack`, async () => {
      const s = await synthStage(stage);
      for (const stack of s.all) {
        for (const pack of createNagPacks()) {
          const report = pack.validateScope(stack);
          const found = report.violations.map(
            (v) =>
              `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
          );
          expect(found, `${pack.readPackName} on ${stack.stackName}`).toEqual([]);
        }
      }
    });
  }

  it('carry a written reason with every acknowledged finding', async () => {
    const s = await synthStage('dev');
    const acks = s.all.flatMap(acknowledgements);
    expect(acks.length).toBeGreaterThan(10);
    for (const { path, id, reason } of acks) {
      expect(reason.length, `${id} at ${path}`).toBeGreaterThanOrEqual(30);
    }
    const ids = new Set(acks.map((a) => a.id.replace(/^annotation::/i, '').replace(/\[.*$/, '')));
    // The findings acknowledged on purpose, each explained where it is made.
    expect([...ids]).toEqual(
      expect.arrayContaining(['HIPAA.Security-LambdaDLQ', 'HIPAA.Security-APIGWCacheEnabledAndEncrypted']),
    );
  });

  it('do flag an unencrypted, unlogged, public-capable bucket (the check is live)', () => {
    const stack = new Stack(new App(), 'Bad');
    new s3.Bucket(stack, 'Open', { encryption: s3.BucketEncryption.UNENCRYPTED as never });
    const rules = createNagPacks().flatMap((p) => p.validateScope(stack).violations.map((v) => v.ruleName));
    expect(rules).toEqual(
      expect.arrayContaining([
        'AwsSolutions-S1',
        'AwsSolutions-S10',
        'HIPAA.Security-S3BucketLoggingEnabled',
        'HIPAA.Security-S3BucketSSLRequestsOnly',
      ]),
    );
  });
});
