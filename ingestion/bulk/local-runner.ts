/**
 * Runs the bulk flow document on this machine with aws-local-stepfunctions, each Task state bound
 * to the same handler module Lambda runs (their results wrapped as `{ Payload }`, the shape
 * lambda:invoke gives Step Functions), then loads what landed with the loader. The transform is
 * the caller's (the CLI runs it as `start` does).
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { Logger } from '../../src/logger';
import type { Warehouse } from '../../src/warehouse';
import { LANDING_PREFIX } from '../landing/landing-keys';
import { type LoadSummary, loadLanding } from '../loader';
import type { BulkDeps } from './bulk-deps';
import type { BulkLedger } from './bulk-job-store';
import { bulkIngestionFlow } from './flow-definition';
import type { BulkFlowInput, DownloadResult } from './flow-state';
import { createDownloadResourcesHandler } from './handlers/download-resources';
import { createFinalizeJobHandler } from './handlers/finalize-job';
import { createInitiateExportHandler } from './handlers/initiate-export';
import { createPollExportStatusHandler } from './handlers/poll-export-status';

// aws-local-stepfunctions calls Promise.withResolvers (Node 22); this is Node 20's stand-in.
(Promise as unknown as { withResolvers?: unknown }).withResolvers ??= <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
};

export interface LocalRunOptions {
  /** Loads the landed files into this warehouse after the flow (skipped when absent). */
  warehouse?: Warehouse;
  stagingDir?: string;
  log?: Logger;
  /** Milliseconds every Wait lasts instead of the server's hint (tests). */
  waitMs?: number;
  /** Milliseconds between retries instead of the backoff (tests). */
  retryMs?: number;
  /** Called after each DownloadResources invocation. */
  onFile?: (result: DownloadResult) => void;
}

export interface LocalRunResult {
  /** What the flow returned (FinalizeJob's result), or its error when it ended in JobFailed. */
  outcome: { status: string; failure?: string } | { error: string };
  ledger: BulkLedger | null;
  load: LoadSummary | null;
}

/** The Task and Wait state names of the flow, for the local overrides. */
const TASKS = ['InitiateExport', 'PollExportStatus', 'DownloadResources', 'FinalizeJob', 'RecordFailure'];

export async function runBulkFlowLocally(
  deps: BulkDeps,
  input: BulkFlowInput,
  options: LocalRunOptions = {},
): Promise<LocalRunResult> {
  const get = async () => deps;
  const download = createDownloadResourcesHandler(get);
  const bound = {
    initiateExport: createInitiateExportHandler(get),
    pollExportStatus: createPollExportStatusHandler(get),
    downloadResources: async (item: Parameters<ReturnType<typeof createDownloadResourcesHandler>>[0]) => {
      const result = await download(item);
      options.onFile?.(result);
      return result;
    },
    finalizeJob: createFinalizeJobHandler(get),
  };
  // A Task state's handler gets its Parameters ({ FunctionName, Payload }); Lambda gets the Payload.
  const asLambda =
    <I, O>(fn: (input: I) => Promise<O>) =>
    async (parameters: unknown) => ({ Payload: await fn((parameters as { Payload: I }).Payload) });
  const definition = bulkIngestionFlow(
    {
      initiateExport: 'local:initiate-export',
      pollExportStatus: 'local:poll-export-status',
      downloadResources: 'local:download-resources',
      finalizeJob: 'local:finalize-job',
    },
    { maxConcurrency: deps.settings.downloadConcurrency },
  );
  // The document is validated by its own tests (flow-definition.test.ts); validating it on every
  // run costs seconds.
  const machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {
    InitiateExport: asLambda(bound.initiateExport),
    PollExportStatus: asLambda(bound.pollExportStatus),
    DownloadResources: asLambda(bound.downloadResources),
    FinalizeJob: asLambda(bound.finalizeJob),
    RecordFailure: asLambda(bound.finalizeJob),
  };
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      ...(options.waitMs !== undefined ? { waitTimeOverrides: { WaitForExport: options.waitMs } } : {}),
      ...(options.retryMs !== undefined
        ? { retryIntervalOverrides: Object.fromEntries(TASKS.map((t) => [t, options.retryMs!])) }
        : {}),
    },
  });
  let outcome: LocalRunResult['outcome'];
  try {
    outcome = (await execution.result) as { status: string; failure?: string };
  } catch (error) {
    outcome = { error: (error as Error).message };
  }
  const ledger = await deps.jobs.readLedger(input.jobId);
  let load: LoadSummary | null = null;
  if (options.warehouse && ledger && ledger.files.landed > 0) {
    load = await loadLanding(deps.store, options.warehouse, {
      prefix: `${LANDING_PREFIX}org=${input.org}/`,
      stagingDir: options.stagingDir,
      log: options.log,
    });
  }
  return { outcome, ledger, load };
}
