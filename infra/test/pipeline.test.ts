import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { bulkIngestionFlow } from '../../ingestion/bulk/flow-definition';
import { LANDING_PREFIX } from '../lib/constructs/lake-buckets';
import { LEDGER_IMBALANCE_FIELD } from '../lib/constructs/platform-alarms';
import { STAGES, validateStageConfig } from '../lib/stage-config';
import { type SynthesizedStage, synthStage } from './synth-stage';

// Each synthesis bundles six Lambdas with esbuild and stages the dbt image context: slow on a busy machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

let dev: SynthesizedStage;
beforeAll(async () => {
  dev = await synthStage('dev');
});

/** A `Fn::Join` definition string with each `Fn::GetAtt [id, Arn]` replaced by `<id>` (any other token by `<token>`). */
function definitionWithPlaceholders(definition: unknown): unknown {
  const [, parts] = (definition as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = parts
    .map((p) => {
      if (typeof p === 'string') return p;
      const getAtt = (p as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      return getAtt ? `<${getAtt[0]}>` : '<token>';
    })
    .join('');
  return JSON.parse(text);
}

describe('bulk ingestion', () => {
  it('deploys the flow document from ingestion/bulk unchanged, with the four functions', () => {
    const t = dev.template(dev.stacks.ingestion);
    const [machine] = Object.values(t.findResources('AWS::StepFunctions::StateMachine'));
    const functionIds = Object.keys(t.findResources('AWS::Lambda::Function'));
    const id = (name: string) => `<${functionIds.find((f) => f.startsWith(`Bulk${name}Function`))}>`;
    expect(definitionWithPlaceholders(machine?.Properties.DefinitionString)).toEqual(
      bulkIngestionFlow({
        initiateExport: id('InitiateExport'),
        pollExportStatus: id('PollExportStatus'),
        downloadResources: id('DownloadResources'),
        finalizeJob: id('FinalizeJob'),
      }),
    );
  });

  it('logs every state transition without execution data, traced', () => {
    dev.template(dev.stacks.ingestion).hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
  });

  it('lets the state machine invoke exactly its four functions', () => {
    const t = dev.template(dev.stacks.ingestion);
    const invoke = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((st: { Action: string | string[] }) => [st.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Resource).toHaveLength(4);
  });

  it('starts one run per configured source on its schedule, with a fresh job id, retries and a DLQ', () => {
    const [source] = dev.config.bulk.sources;
    dev.template(dev.stacks.ingestion).hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: source!.schedule,
      Targets: [
        Match.objectLike({
          InputTransformer: {
            InputPathsMap: { id: '$.id' },
            InputTemplate: Match.stringLikeRegexp(
              `"jobId":<id>,"source":"${source!.fhirBaseUrl}","org":"${source!.organizationId}"`,
            ),
          },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
  });

  it("configures the handlers the way src/config.ts reads them, the client's key by secret ARN only", () => {
    const t = dev.template(dev.stacks.ingestion);
    const fns = Object.values(t.findResources('AWS::Lambda::Function'));
    expect(fns).toHaveLength(4);
    for (const fn of fns) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        APP_ENV: 'production',
        OBJECT_STORE: 's3',
        BULK_CLIENT_ID: dev.config.bulk.client!.clientId,
        BULK_PRIVATE_KEY_SECRET_ID: { Ref: expect.stringMatching(/^BulkClientKey/) },
      });
    }
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'fhir-gateway-dev/bulk/client-key',
      KmsKeyId: Match.anyValue(),
    });
  });
});

describe('the dbt runner', () => {
  it('runs dbt build --target snowflake on Fargate from the repository Dockerfile, secrets from Secrets Manager', () => {
    const t = dev.template(dev.stacks.dbt);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [
        Match.objectLike({
          Command: ['build', '--target', 'snowflake'],
          Image: Match.anyValue(),
          Environment: Match.arrayWith([
            { Name: 'SNOWFLAKE_USER', Value: dev.config.snowflake.dbtUser },
            { Name: 'SNOWFLAKE_ROLE', Value: dev.config.snowflake.dbtRole },
            { Name: 'SNOWFLAKE_WAREHOUSE', Value: dev.config.snowflake.dbtWarehouse },
          ]),
          Secrets: Match.arrayWith([
            Match.objectLike({ Name: 'SNOWFLAKE_PRIVATE_KEY' }),
            Match.objectLike({ Name: 'FHIR_TOKEN_SALT' }),
          ]),
          LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        }),
      ],
    });
    const outdir = dev.app.synth().directory;
    const manifest = JSON.parse(
      readFileSync(join(outdir, `${dev.stacks.dbt.artifactId}.assets.json`), 'utf8'),
    );
    const images = Object.values(manifest.dockerImages) as {
      source: { dockerFile: string; platform: string };
    }[];
    expect(images.map((i) => i.source)).toEqual([
      expect.objectContaining({ dockerFile: 'dbt/Dockerfile', platform: 'linux/amd64' }),
    ]);
  });

  it('queues a build request for every file landed under the landing layout, and on a schedule', () => {
    const t = dev.template(dev.stacks.dbt);
    const queue = { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbtBuildRequests'), 'Arn'] };
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: {
            name: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['fhir-gateway-dev-landing-'])] })],
          },
          object: { key: [{ prefix: LANDING_PREFIX }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: queue,
          InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('"trigger":"landed"') }),
        }),
      ],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: dev.config.dbt.schedule,
      Targets: [
        Match.objectLike({
          Arn: queue,
          InputTransformer: Match.objectLike({
            InputTemplate: Match.stringLikeRegexp('"trigger":"schedule"'),
          }),
        }),
      ],
    });
    // Only the pipe starts the task: no rule targets ECS directly.
    for (const rule of Object.values(t.findResources('AWS::Events::Rule'))) {
      for (const target of rule.Properties.Targets) expect(target.EcsParameters).toBeUndefined();
    }
  });

  it('hands each batch of requests to a state machine that starts one Fargate build, failures to the alarmed DLQ', () => {
    const t = dev.template(dev.stacks.dbt);
    t.resourceCountIs('AWS::Pipes::Pipe', 1);
    t.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbtBuildRequests'), 'Arn'] },
      SourceParameters: {
        SqsQueueParameters: {
          BatchSize: 10_000,
          MaximumBatchingWindowInSeconds: dev.config.dbt.batchingSeconds,
        },
      },
      // Pipes batch into Step Functions (one execution per batch), not into an ECS task.
      Target: { Ref: Match.stringLikeRegexp('^DbtBuilds') },
      TargetParameters: {
        InputTemplate: '{}',
        StepFunctionStateMachineParameters: { InvocationType: 'FIRE_AND_FORGET' },
      },
      LogConfiguration: Match.objectLike({ Level: 'ERROR' }),
    });
    // A full batch of templated requests (a JSON array) stays within Step Functions' 262,144-character input.
    const [pipe] = Object.values(t.findResources('AWS::Pipes::Pipe'));
    const { SourceParameters, TargetParameters } = pipe!.Properties;
    const batchChars =
      SourceParameters.SqsQueueParameters.BatchSize * (TargetParameters.InputTemplate.length + 1) + 1;
    expect(batchChars).toBeLessThan(262_144);
    const [machine] = Object.values(t.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine!.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
    });
    const definition = definitionWithPlaceholders(machine!.Properties.DefinitionString) as {
      StartAt: string;
      States: Record<string, Record<string, unknown>>;
    };
    // RunTask (retried with jitter), then a failed execution unless ECS placed the task.
    const start = definition.States[definition.StartAt]!;
    expect(start).toMatchObject({
      Type: 'Task',
      Resource: expect.stringMatching(/:states:::aws-sdk:ecs:runTask$/),
      Parameters: {
        LaunchType: 'FARGATE',
        Count: 1,
        NetworkConfiguration: {
          AwsvpcConfiguration: expect.objectContaining({ AssignPublicIp: 'DISABLED' }),
        },
      },
      Retry: [expect.objectContaining({ ErrorEquals: ['States.ALL'], JitterStrategy: 'FULL' })],
    });
    const placed = definition.States[start.Next as string]!;
    expect(placed).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.Failures[0]', IsPresent: true, Next: expect.any(String) }],
    });
    const choices = placed.Choices as { Next: string }[];
    expect(definition.States[choices[0]!.Next]).toMatchObject({ Type: 'Fail', Error: 'Dbt.TaskNotPlaced' });
    expect(definition.States[placed.Default as string]).toMatchObject({ Type: 'Succeed' });
    t.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      VisibilityTimeout: dev.config.dbt.batchingSeconds + 60,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbtStartDeadLetters'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
  });

  it('refuses a batching window beyond what EventBridge Pipes allows', () => {
    const config = structuredClone(STAGES.prod);
    for (const seconds of [0, 301, 1.5]) {
      config.dbt.batchingSeconds = seconds;
      expect(() => validateStageConfig(config), String(seconds)).toThrow(/batchingSeconds/);
    }
  });
});

describe('observability', () => {
  it('alarms on Lambda errors and throttles, API 5xx and latency, failed flows, DLQ depth and ledger imbalance', () => {
    const t = dev.template(dev.stacks.observability);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    const byMetric = (name: string) => alarms.filter((a) => a.Properties.MetricName === name);
    expect(byMetric('Errors')).toHaveLength(6);
    expect(byMetric('Throttles')).toHaveLength(6);
    expect(byMetric('5XXError')).toHaveLength(1);
    expect(byMetric('Latency')[0]?.Properties).toMatchObject({
      ExtendedStatistic: 'p99',
      Threshold: dev.config.api.latencyAlarmMs,
    });
    expect(byMetric('ExecutionsFailed')).toHaveLength(2);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(byMetric('LedgerImbalance')).toHaveLength(1);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    // On the log group of the bulk FinalizeJob, the one component that logs `ledger.imbalance`
    // (ingestion/bulk/handlers/finalize-job.test.ts proves the line and its value).
    t.resourceCountIs('AWS::Logs::MetricFilter', 1);
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { 'Fn::ImportValue': Match.stringLikeRegexp('BulkFinalizeJobLogs') },
      FilterPattern: `{ ${LEDGER_IMBALANCE_FIELD} > 0 }`,
      MetricTransformations: [
        Match.objectLike({ MetricName: 'LedgerImbalance', MetricValue: LEDGER_IMBALANCE_FIELD }),
      ],
    });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('keeps every log group encrypted with the logs key and for the stage retention', () => {
    for (const stack of dev.all) {
      for (const group of Object.values(dev.template(stack).findResources('AWS::Logs::LogGroup'))) {
        expect(group.Properties).toMatchObject({
          KmsKeyId: expect.anything(),
          RetentionInDays: dev.config.logRetentionDays,
        });
      }
    }
  });
});
