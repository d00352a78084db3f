/**
 * The bulk ingestion flow, written once as an Amazon States Language document: Step Functions runs
 * it in AWS (the CDK stack deploys it unchanged, with the Lambda ARNs), aws-local-stepfunctions runs
 * it locally with the same handlers (`local-runner.ts`). Only what both support: Task (lambda:invoke),
 * Wait with SecondsPath, Choice, inline Map, Pass, Succeed, Fail; no distributed Map, no JSONata.
 *
 *   InitiateExport → WaitForExport → PollExportStatus → ExportReady? ─ in progress → WaitForExport
 *                                                                    └ complete → DownloadFiles (Map)
 *   DownloadFiles → FinalizeJob → JobOutcome? → JobSucceeded | JobFailed
 *   any failure (Catch) → RecordFailure (FinalizeJob with the error) → JobFailed
 *
 * See: https://states-language.net/spec.html
 */
import { TRANSIENT_ERRORS } from './bulk-errors';

export interface BulkFlowFunctions {
  initiateExport: string;
  pollExportStatus: string;
  downloadResources: string;
  finalizeJob: string;
}

/** Parallel downloads by default (the Map's MaxConcurrency); at most 10, as EHR vendors ask. */
export const DOWNLOAD_CONCURRENCY = 4;

/** Lambda's own transient failures, retried as Step Functions recommends. */
const LAMBDA_TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

const retry = (maxAttempts: number) => [
  {
    ErrorEquals: [...TRANSIENT_ERRORS, ...LAMBDA_TRANSIENT],
    IntervalSeconds: 2,
    BackoffRate: 2,
    MaxAttempts: maxAttempts,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  },
];

const invoke = (
  functionName: string,
  next: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  ResultSelector: { 'Payload.$': '$.Payload' },
  OutputPath: '$.Payload',
  ...extra,
  ...next,
});

const toFailure = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }];

/** The flow document for the given Lambda names or ARNs; `maxConcurrency` bounds parallel downloads. */
export function bulkIngestionFlow(
  functions: BulkFlowFunctions,
  options: { maxConcurrency?: number } = {},
): Record<string, unknown> {
  const maxConcurrency = Math.min(Math.max(1, options.maxConcurrency ?? DOWNLOAD_CONCURRENCY), 10);
  return {
    Comment:
      'Bulk FHIR ingestion: $export kick-off, status polling, file downloads into the landing area, the ledger',
    StartAt: 'InitiateExport',
    TimeoutSeconds: 7 * 24 * 3600,
    States: {
      InitiateExport: invoke(
        functions.initiateExport,
        { Next: 'WaitForExport' },
        { TimeoutSeconds: 120, Retry: retry(5), Catch: toFailure },
      ),
      WaitForExport: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'PollExportStatus' },
      PollExportStatus: invoke(
        functions.pollExportStatus,
        { Next: 'ExportReady' },
        { TimeoutSeconds: 300, Retry: retry(6), Catch: toFailure },
      ),
      ExportReady: {
        Type: 'Choice',
        Choices: [{ Variable: '$.status', StringEquals: 'complete', Next: 'DownloadFiles' }],
        Default: 'WaitForExport',
      },
      DownloadFiles: {
        Type: 'Map',
        ItemsPath: '$.files',
        ItemSelector: { 'jobId.$': '$.jobId', 'index.$': '$$.Map.Item.Value' },
        MaxConcurrency: maxConcurrency,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'DownloadResources',
          States: {
            DownloadResources: invoke(
              functions.downloadResources,
              { Next: 'FileDone' },
              {
                TimeoutSeconds: 900,
                Retry: retry(6),
                Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'DownloadFailed' }],
              },
            ),
            FileDone: {
              Type: 'Choice',
              Choices: [{ Variable: '$.status', StringEquals: 'in-progress', Next: 'DownloadResources' }],
              Default: 'FileDownloaded',
            },
            FileDownloaded: { Type: 'Succeed' },
            DownloadFailed: {
              Type: 'Pass',
              Parameters: {
                'jobId.$': '$.jobId',
                'index.$': '$.index',
                status: 'failed',
                'error.$': '$.error',
              },
              End: true,
            },
          },
        },
        ResultPath: '$.downloads',
        Next: 'FinalizeJob',
        Catch: toFailure,
      },
      FinalizeJob: invoke(
        functions.finalizeJob,
        { Next: 'JobOutcome' },
        { TimeoutSeconds: 300, Retry: retry(5), Catch: toFailure },
      ),
      JobOutcome: {
        Type: 'Choice',
        Choices: [{ Variable: '$.status', StringEquals: 'failed', Next: 'JobFailed' }],
        Default: 'JobSucceeded',
      },
      JobSucceeded: { Type: 'Succeed' },
      RecordFailure: invoke(
        functions.finalizeJob,
        { Next: 'JobFailed' },
        { TimeoutSeconds: 300, Retry: retry(5) },
      ),
      JobFailed: {
        Type: 'Fail',
        Error: 'BulkJobFailed',
        Cause: 'The bulk job failed; its ledger has the reason',
      },
    },
  };
}
