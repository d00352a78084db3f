import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import type { BulkSourceConfig } from '../stage-config';
import { createDeadLetterQueue } from './dead-letter-queue';
import { createLogGroup, type LogSettings } from './encrypted-log-group';
import { FhirFunction } from './fhir-function';
import { grantLakeAccess, grantSecretsRead } from './grants';
import { JOBS_PREFIX, LANDING_PREFIX, lakeBucketName } from './lake-buckets';
import type { Network } from './network';

/** The four handlers' function ARNs, by the names the flow document uses. */
export interface BulkFlowFunctions {
  initiateExport: string;
  pollExportStatus: string;
  downloadResources: string;
  finalizeJob: string;
}

/** Builds the flow's Amazon States Language document (`ingestion/bulk/flow-definition.ts`). */
export type BulkFlowDefinition = (functions: BulkFlowFunctions) => object;

export interface BulkIngestionProps {
  prefix: string;
  network: Network;
  logs: LogSettings;
  dataKey: kms.IKey;
  retain: boolean;
  reservedConcurrency: number;
  sources: BulkSourceConfig[];
  flow: BulkFlowDefinition;
}

const HANDLERS: {
  key: keyof BulkFlowFunctions;
  id: string;
  file: string;
  timeout: number;
  memory: number;
}[] = [
  { key: 'initiateExport', id: 'InitiateExport', file: 'initiate-export', timeout: 60, memory: 256 },
  { key: 'pollExportStatus', id: 'PollExportStatus', file: 'poll-export-status', timeout: 60, memory: 256 },
  // Streams one output file into the landing area: bounded memory, long transfers.
  {
    key: 'downloadResources',
    id: 'DownloadResources',
    file: 'download-resources',
    timeout: 900,
    memory: 1024,
  },
  { key: 'finalizeJob', id: 'FinalizeJob', file: 'finalize-job', timeout: 60, memory: 256 },
];

/**
 * FHIR Bulk Data ingestion from EHRs: the project's four bulk handlers as Lambdas, the Step
 * Functions state machine from the flow document unchanged, one schedule per configured source
 * (with a dead-letter queue for starts that fail), and each source's client key in Secrets Manager.
 */
export class BulkIngestion extends Construct {
  readonly functions: Record<keyof BulkFlowFunctions, FhirFunction>;
  readonly stateMachine: sfn.StateMachine;
  readonly scheduleDeadLetters: sqs.Queue;
  readonly clientKeys: Record<string, secretsmanager.Secret>;

  constructor(scope: Construct, id: string, props: BulkIngestionProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.clientKeys = Object.fromEntries(
      props.sources.map((source) => [
        source.name,
        new secretsmanager.Secret(this, `ClientKey-${source.name}`, {
          secretName: `${props.prefix}/bulk/${source.name}/client-key`,
          description: `SMART Backend Services private JWK of client ${source.clientId} at ${source.fhirBaseUrl}; replace the placeholder.`,
          encryptionKey: props.dataKey,
          removalPolicy,
          generateSecretString: { passwordLength: 64, excludePunctuation: true },
        }),
      ]),
    );
    acknowledge(Object.values(this.clientKeys), [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'A client key rotates with the source\'s registration (new JWK registered at the EHR, then put here; docs/deploy.md, "Rotation"): no rotation Lambda can register a key at an EHR.',
      },
      {
        id: 'HIPAA.Security-SecretsManagerRotationEnabled',
        reason: 'See AwsSolutions-SMG4: rotated with the registration.',
      },
    ]);

    const environment = {
      APP_ENV: 'production',
      LOG_LEVEL: 'info',
      OBJECT_STORE: 's3',
      S3_BUCKET: lakeBucketName(props.prefix, 'landing'),
      S3_REGION: Stack.of(this).region,
    };
    const entries = HANDLERS.map(({ key, id: name, file, timeout, memory }) => {
      const fn = new FhirFunction(this, name, {
        entry: `ingestion/bulk/handlers/${file}.ts`,
        description: `fhir-gateway bulk ingestion: ${name}`,
        network: props.network,
        logs: props.logs,
        environmentKey: props.dataKey,
        memorySize: memory,
        timeout: Duration.seconds(timeout),
        reservedConcurrency: props.reservedConcurrency,
        environment,
      });
      return [key, fn] as const;
    });
    this.functions = Object.fromEntries(entries) as Record<keyof BulkFlowFunctions, FhirFunction>;
    const { initiateExport, pollExportStatus, downloadResources, finalizeJob } = this.functions;
    const keys = Object.values(this.clientKeys);
    // Tokens are needed to kick off, to poll and (requiresAccessToken) to download.
    for (const fn of [initiateExport, pollExportStatus, downloadResources]) {
      grantSecretsRead(fn.role, props.dataKey, keys);
    }
    grantLakeAccess(downloadResources.role, props.dataKey, [
      { lake: props.prefix, bucket: 'landing', prefix: LANDING_PREFIX, access: ['write'] },
    ]);
    grantLakeAccess(finalizeJob.role, props.dataKey, [
      { lake: props.prefix, bucket: 'landing', prefix: JOBS_PREFIX, access: ['read', 'write'] },
    ]);

    const logGroup = createLogGroup(this, 'FlowLogs', props.logs);
    const arns = Object.fromEntries(
      entries.map(([key, fn]) => [key, fn.fn.functionArn]),
    ) as unknown as BulkFlowFunctions;
    this.stateMachine = new sfn.StateMachine(this, 'Flow', {
      stateMachineName: `${props.prefix}-bulk-ingestion`,
      // The flow document as written once in ingestion/bulk/, unchanged: the same ASL that
      // aws-local-stepfunctions runs locally.
      definitionBody: sfn.DefinitionBody.fromString(Stack.of(this).toJsonString(props.flow(arns))),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      timeout: Duration.hours(24),
      // Execution data (inputs and outputs) stays out of the logs: state names, events and errors only.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: entries.map(([, fn]) => fn.fn.functionArn),
      }),
    );
    acknowledge(this.stateMachine, [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions log delivery (logs:CreateLogDelivery, ...) and X-Ray calls have no resource-level permissions; no data action is involved.',
      },
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: "Generated for this state machine's role alone." },
    ]);

    this.scheduleDeadLetters = createDeadLetterQueue(
      this,
      'ScheduleDeadLetters',
      props.dataKey,
      props.retain,
    );
    for (const source of props.sources) {
      new events.Rule(this, `Schedule-${source.name}`, {
        ruleName: `${props.prefix}-bulk-${source.name}`,
        description: `Bulk $export from ${source.fhirBaseUrl} into org ${source.organizationId}`,
        schedule: events.Schedule.expression(source.schedule),
        targets: [
          new eventTargets.SfnStateMachine(this.stateMachine, {
            input: events.RuleTargetInput.fromObject({
              source: source.name,
              organizationId: source.organizationId,
              fhirBaseUrl: source.fhirBaseUrl,
              tokenUrl: source.tokenUrl,
              clientId: source.clientId,
              clientKeySecretArn: this.clientKeys[source.name]!.secretArn,
              types: source.types ?? [],
            }),
            deadLetterQueue: this.scheduleDeadLetters,
            retryAttempts: 3,
            maxEventAge: Duration.hours(2),
          }),
        ],
      });
    }
  }
}
