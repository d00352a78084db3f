import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { BulkFlowFunctions } from '../../../ingestion/bulk/flow-definition';
import { acknowledge } from '../nag';
import type { BulkClientConfig, BulkSourceConfig } from '../stage-config';
import { createDeadLetterQueue } from './dead-letter-queue';
import type { LogSettings } from './encrypted-log-group';
import { FhirFunction } from './fhir-function';
import { grantLakeAccess, grantSecretsRead } from './grants';
import { BULK_JOBS_PREFIX, LANDING_PREFIX, lakeBucketName, QUARANTINE_PREFIX } from './lake-buckets';
import { createLoggedStateMachine } from './logged-state-machine';
import type { Network } from './network';

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
  client?: BulkClientConfig;
  /** The issuer src/config.ts demands in production (the handlers do not verify tokens). */
  auth: { jwksUrl: string; issuer: string };
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
  readonly clientKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: BulkIngestionProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.clientKey = new secretsmanager.Secret(this, 'ClientKey', {
      secretName: `${props.prefix}/bulk/client-key`,
      description:
        'SMART Backend Services private key (JWK JSON or PKCS#8 PEM) of the bulk client; replace the placeholder.',
      encryptionKey: props.dataKey,
      removalPolicy,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(this.clientKey, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The client key rotates with its registration (new key published in the client JWKS or registered at each EHR, then put here; docs/deploy.md, "Rotation"): no rotation Lambda can register a key at an EHR.',
      },
      {
        id: 'HIPAA.Security-SecretsManagerRotationEnabled',
        reason: 'See AwsSolutions-SMG4: rotated with the registration.',
      },
    ]);

    // What src/config.ts reads for the bulk handlers (its BULK_* block). In production it also
    // insists on a real issuer (AUTH_*), which the handlers never use.
    const { client } = props;
    const environment: Record<string, string> = {
      APP_ENV: 'production',
      LOG_LEVEL: 'info',
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: props.auth.jwksUrl,
      AUTH_ISSUER: props.auth.issuer,
      OBJECT_STORE: 's3',
      S3_BUCKET: lakeBucketName(props.prefix, 'landing'),
      S3_REGION: Stack.of(this).region,
      // A download stops after a segment past this budget and the flow invokes it again: under
      // the function's 15-minute timeout.
      BULK_DOWNLOAD_BUDGET_SECONDS: '600',
      ...(client
        ? {
            BULK_CLIENT_ID: client.clientId,
            BULK_PRIVATE_KEY_SECRET_ID: this.clientKey.secretArn,
            ...(client.keyId ? { BULK_KEY_ID: client.keyId } : {}),
            ...(client.keyAlgorithm ? { BULK_KEY_ALGORITHM: client.keyAlgorithm } : {}),
            ...(client.scope ? { BULK_SCOPE: client.scope } : {}),
          }
        : {}),
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
    // Every step talks to the source with a token (kick-off, status, downloads, the final DELETE)
    // and reads or writes the job's records under jobs/bulk/; only downloads land data.
    const jobs = {
      lake: props.prefix,
      bucket: 'landing',
      prefix: BULK_JOBS_PREFIX,
      access: ['read', 'write', 'list'],
    } as const;
    for (const fn of [initiateExport, pollExportStatus, downloadResources, finalizeJob]) {
      if (client) grantSecretsRead(fn.role, props.dataKey, [this.clientKey]);
      grantLakeAccess(fn.role, props.dataKey, [
        jobs,
        ...(fn === downloadResources
          ? ([
              { lake: props.prefix, bucket: 'landing', prefix: LANDING_PREFIX, access: ['write'] },
              { lake: props.prefix, bucket: 'landing', prefix: QUARANTINE_PREFIX, access: ['write'] },
            ] as const)
          : []),
      ]);
    }

    const arns = Object.fromEntries(
      entries.map(([key, fn]) => [key, fn.fn.functionArn]),
    ) as unknown as BulkFlowFunctions;
    this.stateMachine = createLoggedStateMachine(this, 'Flow', {
      stateMachineName: `${props.prefix}-bulk-ingestion`,
      // The flow document as written once in ingestion/bulk/, unchanged: the same ASL that
      // aws-local-stepfunctions runs locally.
      definitionBody: sfn.DefinitionBody.fromString(Stack.of(this).toJsonString(props.flow(arns))),
      logs: props.logs,
    });
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: entries.map(([, fn]) => fn.fn.functionArn),
      }),
    );

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
            // The flow's input (BulkFlowInput): a fresh job id per scheduled event, and an
            // incremental export since the last completed job of this org and source.
            input: events.RuleTargetInput.fromObject({
              jobId: events.EventField.eventId,
              source: source.fhirBaseUrl,
              org: source.organizationId,
              level: source.level,
              since: 'last',
              ...(source.types ? { types: source.types } : {}),
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
