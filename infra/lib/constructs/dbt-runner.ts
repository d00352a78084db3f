import { type CfnElement, Duration, IgnoreMode, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import type { SnowflakeConfig } from '../stage-config';
import { createDeadLetterQueue } from './dead-letter-queue';
import { createLogGroup, type LogSettings } from './encrypted-log-group';
import { grantSecretsRead } from './grants';
import type { Network } from './network';
import { REPO_ROOT } from './repo-paths';

export interface DbtRunnerProps {
  prefix: string;
  network: Network;
  logs: LogSettings;
  dataKey: kms.IKey;
  retain: boolean;
  snowflake: SnowflakeConfig;
  /** ARNs of the dbt user's private key and the tokenization salt (platform secrets). */
  snowflakeKeySecretArn: string;
  tokenSaltSecretArn: string;
  cpu: number;
  memoryMiB: number;
  /** When to build besides after loads. */
  schedule: string;
  /** Builds run after each successful execution of this state machine (bulk ingestion). */
  afterStateMachineArn?: string;
}

/**
 * The image's build context is the repository root, but only the dbt project and the Python lock
 * enter it (and the asset hash): node_modules, .data and dbt's own outputs stay out.
 */
const IMAGE_CONTEXT_EXCLUDES = [
  '*',
  '.*',
  '!dbt',
  '!pyproject.toml',
  '!uv.lock',
  'dbt/target',
  'dbt/logs',
  'dbt/dbt_packages',
  'dbt/.user.yml',
];

/**
 * dbt Core on ECS Fargate: one task definition running `dbt build --target snowflake` (the image
 * from `dbt/Dockerfile`, built at deploy time), started after every successful bulk load and on a
 * schedule. Snowpipe loads the landed files asynchronously (usually within a minute); whatever a
 * post-load build misses, the next build picks up (models are incremental).
 */
export class DbtRunner extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly deadLetters: sqs.Queue;
  readonly logGroup: ReturnType<typeof createLogGroup>;

  constructor(scope: Construct, id: string, props: DbtRunnerProps) {
    super(scope, id);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: `${props.prefix}-dbt`,
      vpc: props.network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      family: `${props.prefix}-dbt-build`,
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    // Imported by ARN so that ECS's grant lands on this stack's roles only (see grantSecretsRead).
    const key = secretsmanager.Secret.fromSecretCompleteArn(
      this,
      'SnowflakeKey',
      props.snowflakeKeySecretArn,
    );
    const salt = secretsmanager.Secret.fromSecretCompleteArn(this, 'TokenSalt', props.tokenSaltSecretArn);
    this.logGroup = createLogGroup(this, 'Logs', props.logs);
    const { snowflake } = props;
    this.taskDefinition.addContainer('dbt', {
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: 'dbt/Dockerfile',
        platform: Platform.LINUX_AMD64,
        ignoreMode: IgnoreMode.DOCKER,
        exclude: IMAGE_CONTEXT_EXCLUDES,
      }),
      command: ['build', '--target', 'snowflake'],
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: 'dbt' }),
      environment: {
        DBT_TARGET: 'snowflake',
        SNOWFLAKE_ACCOUNT: snowflake.account,
        SNOWFLAKE_USER: snowflake.dbtUser,
        SNOWFLAKE_ROLE: snowflake.dbtRole,
        SNOWFLAKE_WAREHOUSE: snowflake.dbtWarehouse,
        SNOWFLAKE_DATABASE: snowflake.database,
      },
      secrets: {
        SNOWFLAKE_PRIVATE_KEY: ecs.Secret.fromSecretsManager(key),
        FHIR_TOKEN_SALT: ecs.Secret.fromSecretsManager(salt),
      },
    });
    // ECS reads the secrets with the execution role at start; the task itself never holds a grant.
    grantSecretsRead(this.taskDefinition.obtainExecutionRole(), props.dataKey, [key, salt]);
    acknowledge(this.taskDefinition, [
      {
        id: 'AwsSolutions-ECS2',
        reason:
          'Only non-secret connection settings (account, user, role, warehouse, database) are plain environment; the private key and the salt are ECS secrets from Secrets Manager.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'ecr:GetAuthorizationToken has no resource-level permissions (image pulls are scoped to the asset repository).',
      },
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: "Generated for this task's roles alone." },
    ]);

    const securityGroup = props.network.httpsOnlyGroup(this, 'Egress', 'dbt task: outbound HTTPS only');
    this.deadLetters = createDeadLetterQueue(this, 'StartDeadLetters', props.dataKey, props.retain);
    const target = new eventTargets.EcsTask({
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      launchType: ecs.LaunchType.FARGATE,
      subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      deadLetterQueue: this.deadLetters,
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
    });
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const clusterId = stack.getLogicalId(this.cluster.node.defaultChild as CfnElement);
    acknowledge(this.taskDefinition, [
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:${region}:*:task/<${clusterId}>/*]`,
        reason:
          "EventBridge tags the tasks it starts; their ids do not exist before they run, so only the cluster's task prefix can be named.",
      },
    ]);
    new events.Rule(this, 'Scheduled', {
      ruleName: `${props.prefix}-dbt-scheduled`,
      description: 'dbt build on a schedule',
      schedule: events.Schedule.expression(props.schedule),
      targets: [target],
    });
    if (props.afterStateMachineArn) {
      new events.Rule(this, 'AfterBulkLoad', {
        ruleName: `${props.prefix}-dbt-after-bulk-load`,
        description: 'dbt build after each successful bulk ingestion run',
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          detail: { status: ['SUCCEEDED'], stateMachineArn: [props.afterStateMachineArn] },
        },
        targets: [target],
      });
    }
  }
}
