import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface PlatformKeysProps {
  prefix: string;
  retain: boolean;
}

/**
 * The customer-managed KMS keys (yearly rotation on): `data` encrypts PHI at rest — the buckets, the
 * secrets, the alarm topic — and `logs` encrypts every CloudWatch log group. Two keys so that
 * reading logs never implies being able to decrypt the lake.
 */
export class PlatformKeys extends Construct {
  readonly data: kms.Key;
  readonly logs: kms.Key;

  constructor(scope: Construct, id: string, props: PlatformKeysProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const pendingWindow = Duration.days(props.retain ? 30 : 7);
    this.data = new kms.Key(this, 'Data', {
      alias: `alias/${props.prefix}/data`,
      description: 'fhir-gateway PHI at rest: S3 lake, secrets, alarm topic',
      enableKeyRotation: true,
      pendingWindow,
      removalPolicy,
    });
    this.logs = new kms.Key(this, 'Logs', {
      alias: `alias/${props.prefix}/logs`,
      description: 'fhir-gateway CloudWatch log groups',
      enableKeyRotation: true,
      pendingWindow,
      removalPolicy,
    });
    const { region, account, partition } = Stack.of(this);
    // CloudWatch Logs encrypts with the key only for this account's log groups.
    // See: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    this.logs.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:*` },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted alarm topic; EventBridge delivers undeliverable
    // events to the encrypted dead-letter queues.
    this.data.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('events.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
  }
}
