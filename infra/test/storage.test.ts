import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { LANDING_PREFIX } from '../lib/constructs/lake-buckets';
import { type SynthesizedStage, synthStage } from './synth-stage';

// Each synthesis bundles six Lambdas with esbuild and stages the dbt image context: slow on a busy machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

let dev: SynthesizedStage;
beforeAll(async () => {
  dev = await synthStage('dev');
});

const buckets = (s: SynthesizedStage) => s.template(s.stacks.storage).findResources('AWS::S3::Bucket');

describe('the lake buckets', () => {
  it('are four: landing, quarantine, export and the access-log bucket', () => {
    expect(Object.keys(buckets(dev)).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(
      expect.arrayContaining(['LakeLanding', 'LakeQuarantine', 'LakeExport', 'LakeAccessLogs']),
    );
    expect(Object.keys(buckets(dev))).toHaveLength(4);
  });

  it('are encrypted — the data buckets with the customer-managed data key', () => {
    for (const [id, bucket] of Object.entries(buckets(dev))) {
      const [rule] = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration;
      if (id.startsWith('LakeAccessLogs')) {
        expect(rule.ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
      } else {
        expect(rule).toMatchObject({
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.anything() },
        });
      }
    }
  });

  it('are private, versioned and log every access', () => {
    for (const [id, bucket] of Object.entries(buckets(dev))) {
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      if (!id.startsWith('LakeAccessLogs')) {
        expect(bucket.Properties.LoggingConfiguration).toMatchObject({
          DestinationBucketName: { Ref: expect.stringMatching(/^LakeAccessLogs/) },
        });
      }
      expect(bucket.Properties.LifecycleConfiguration.Rules.length).toBeGreaterThan(0);
    }
  });

  it('refuse anything but TLS 1.2+ in their bucket policies', () => {
    const policies = Object.values(dev.template(dev.stacks.storage).findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    }
  });

  it('keep data when the stack is deleted in prod', async () => {
    const prod = await synthStage('prod');
    for (const bucket of Object.values(buckets(prod))) {
      expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  it("announce new landing NDJSON files to Snowpipe's queue once its ARN is configured, and to EventBridge always", async () => {
    const before = Object.entries(buckets(dev)).find(([id]) => id.startsWith('LakeLanding'))![1];
    expect(before.Properties.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    const queueArn = 'arn:aws:sqs:us-east-1:999999999999:sf-snowpipe-AIDA-abc';
    const withPipe = await synthStage('dev', (c) => ({
      ...c,
      snowflake: { ...c.snowflake, pipeQueueArn: queueArn },
    }));
    withPipe.template(withPipe.stacks.storage).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['fhir-gateway-dev-landing-'])] }),
      NotificationConfiguration: {
        EventBridgeConfiguration: { EventBridgeEnabled: true },
        QueueConfigurations: [
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
        ],
      },
    });
  });
});

describe("Snowflake's storage integration role", () => {
  it('trusts nobody outside the account until the integration identity is configured', () => {
    const roles = dev.template(dev.stacks.storage).findResources('AWS::IAM::Role', {
      Properties: { RoleName: 'fhir-gateway-dev-snowflake-integration' },
    });
    const [statement, ...others] = Object.values(roles)[0]!.Properties.AssumeRolePolicyDocument.Statement;
    expect(others).toEqual([]);
    expect(statement.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'pending-123456789012' } });
    expect(JSON.stringify(statement.Principal)).toMatch(/:iam::123456789012:root"/);
  });

  it("then trusts Snowflake's IAM user with the integration's external id", async () => {
    const trust = { iamUserArn: 'arn:aws:iam::999999999999:user/abc-s', externalId: 'ACME_SFCRole=2_abc=' };
    const s = await synthStage('dev', (c) => ({
      ...c,
      snowflake: { ...c.snowflake, storageIntegration: trust },
    }));
    s.template(s.stacks.storage).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { AWS: trust.iamUserArn },
            Condition: { StringEquals: { 'sts:ExternalId': trust.externalId } },
          }),
        ],
      },
    });
  });
});
