import { Duration, IgnoreMode, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import type { SnowflakeConfig } from '../stage-config';
import { createDeadLetterQueue } from './dead-letter-queue';
import { createLogGroup, type LogSettings } from './encrypted-log-group';
import { grantSecretsRead } from './grants';
import { LANDING_PREFIX } from './lake-buckets';
import { createLoggedStateMachine } from './logged-state-machine';
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
  /** When to build besides after landings. */
  schedule: string;
  /** The landing bucket (by name): every file landed under the landing layout requests a build. */
  landingBucketName: string;
  /** How long build requests are collected into one build (≤ 300, EventBridge Pipes' limit). */
  batchingSeconds: number;
}

/** Build requests per batch: each reaches the state machine as `{}` (3 characters with its comma). */
const BATCH_SIZE = 10_000;

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
 * from `dbt/Dockerfile`, built at deploy time), started after files land and on a schedule. Both
 * triggers are build requests on one queue: every landed file (a bulk run's, a partner Bundle's or
 * upload's) and every scheduled tick. One pipe batches them and a small state machine starts one
 * build per batch, after a wait that also lets Snowpipe load what landed (usually within a minute);
 * whatever a build misses, the next one picks up (models are incremental). Two builds may overlap
 * when one outlasts the batching window: Snowflake runs their DML on a table one after another,
 * and the incremental delete+insert by key keeps the result the same (not verified on an account).
 */
export class DbtRunner extends Construct {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  /** Build requests (no PHI: which trigger, and when). */
  readonly buildRequests: sqs.Queue;
  /** Requests that could not be queued or could not start a build. */
  readonly deadLetters: sqs.Queue;
  /** Starts one build per batch of requests (its failures are alarmed). */
  readonly buildStarter: sfn.StateMachine;
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

    this.deadLetters = createDeadLetterQueue(this, 'StartDeadLetters', props.dataKey, props.retain);
    this.buildRequests = new sqs.Queue(this, 'BuildRequests', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.dataKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      // A request older than a day is covered by the scheduled build that has run since.
      retentionPeriod: Duration.days(1),
      // The pipe holds received requests for the whole batching window before handing them over.
      visibilityTimeout: Duration.seconds(props.batchingSeconds + 60),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const request = (trigger: 'landed' | 'schedule') =>
      new eventTargets.SqsQueue(this.buildRequests, {
        message: events.RuleTargetInput.fromObject({ trigger, time: events.EventField.time }),
        deadLetterQueue: this.deadLetters,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      });
    new events.Rule(this, 'AfterLanding', {
      ruleName: `${props.prefix}-dbt-after-landing`,
      description: 'A dbt build request for every file landed (bulk runs, partner Bundles and uploads)',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.landingBucketName] },
          object: { key: [{ prefix: LANDING_PREFIX }] },
        },
      },
      targets: [request('landed')],
    });
    new events.Rule(this, 'Scheduled', {
      ruleName: `${props.prefix}-dbt-scheduled`,
      description: 'A dbt build request on a schedule',
      schedule: events.Schedule.expression(props.schedule),
      targets: [request('schedule')],
    });
    this.buildStarter = this.startBuilds(props);
  }

  /**
   * One EventBridge pipe collects the build requests for `batchingSeconds` (also Snowpipe's time to
   * load what landed) and hands each batch to the `dbt-build` state machine, which starts one task:
   * a burst of landed files costs one build. (Pipes batch only into targets with a batch input —
   * Lambda, Step Functions, queues, streams — not into an ECS task; Step Functions also records
   * every start and retries a failed launch.) Requests the pipe cannot hand over return to the
   * queue and, after 5 tries, go to the dead-letter queue.
   */
  private startBuilds(props: DbtRunnerProps): sfn.StateMachine {
    const securityGroup = props.network.httpsOnlyGroup(this, 'Egress', 'dbt task: outbound HTTPS only');
    // ECS's RunTask through Step Functions' AWS SDK integration: the role gets exactly this task
    // definition and its two roles (the optimized ECS integration would grant every revision and
    // DescribeTasks on `*`).
    const runBuild = new tasks.CallAwsService(this, 'RunBuild', {
      comment: 'Starts dbt build --target snowflake (returns once ECS has accepted the task)',
      service: 'ecs',
      action: 'runTask',
      parameters: {
        Cluster: this.cluster.clusterArn,
        TaskDefinition: this.taskDefinition.taskDefinitionArn,
        LaunchType: 'FARGATE',
        PlatformVersion: 'LATEST',
        Count: 1,
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: props.network.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })
              .subnetIds,
            SecurityGroups: [securityGroup.securityGroupId],
            AssignPublicIp: 'DISABLED',
          },
        },
      },
      iamAction: 'ecs:RunTask',
      iamResources: [this.taskDefinition.taskDefinitionArn],
      additionalIamStatements: [
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [
            this.taskDefinition.obtainExecutionRole().roleArn,
            this.taskDefinition.taskRole.roleArn,
          ],
        }),
      ],
    }).addRetry({
      errors: ['States.ALL'],
      maxAttempts: 4,
      interval: Duration.seconds(30),
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    // RunTask answers 200 with `failures` when ECS could not place the task: a failed execution then.
    const placed = new sfn.Choice(this, 'Placed?')
      .when(
        sfn.Condition.isPresent('$.Failures[0]'),
        new sfn.Fail(this, 'NotPlaced', {
          error: 'Dbt.TaskNotPlaced',
          cause: 'ECS did not place the dbt task',
        }),
      )
      .otherwise(new sfn.Succeed(this, 'Started'));
    const builds = createLoggedStateMachine(this, 'Builds', {
      stateMachineName: `${props.prefix}-dbt-build`,
      definitionBody: sfn.DefinitionBody.fromChainable(runBuild.next(placed)),
      logs: props.logs,
    });

    const role = new iam.Role(this, 'StartRole', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Hands batches of dbt build requests to the dbt-build state machine',
    });
    this.buildRequests.grantConsumeMessages(role);
    builds.grantStartExecution(role);
    const pipeLogs = createLogGroup(this, 'StartLogs', props.logs);
    pipeLogs.grantWrite(role);
    acknowledge(role, [
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: "Generated for this pipe's role alone." },
    ]);
    new pipes.CfnPipe(this, 'Start', {
      name: `${props.prefix}-dbt-start`,
      description: 'One dbt build per batch of build requests',
      roleArn: role.roleArn,
      source: this.buildRequests.queueArn,
      sourceParameters: {
        sqsQueueParameters: { batchSize: BATCH_SIZE, maximumBatchingWindowInSeconds: props.batchingSeconds },
      },
      target: builds.stateMachineArn,
      targetParameters: {
        // Each request reaches the state machine as `{}`: the batch (an array) stays far below its
        // 256 KiB input limit, and nothing of the S3 event travels further.
        inputTemplate: '{}',
        stepFunctionStateMachineParameters: { invocationType: 'FIRE_AND_FORGET' },
      },
      logConfiguration: {
        level: 'ERROR',
        cloudwatchLogsLogDestination: { logGroupArn: pipeLogs.logGroupArn },
      },
    });
    return builds;
  }
}
