/**
 * The flow document itself, run by aws-local-stepfunctions through every path. The Task handlers
 * here are stand-ins that script each path's answers (the real handlers run the same document in
 * test/bulk/bulk-conformance.test.ts); they record the payloads the document hands them.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { BulkPermanentError, BulkTransientError } from './bulk-errors';
import { bulkIngestionFlow } from './flow-definition';
import './local-runner'; // the Promise.withResolvers stand-in on Node 20

const FUNCTIONS = {
  initiateExport: 'arn:aws:lambda:eu-west-1:123456789012:function:initiate',
  pollExportStatus: 'arn:aws:lambda:eu-west-1:123456789012:function:poll',
  downloadResources: 'arn:aws:lambda:eu-west-1:123456789012:function:download',
  finalizeJob: 'arn:aws:lambda:eu-west-1:123456789012:function:finalize',
};
type Handler = (payload: Record<string, unknown>) => Promise<unknown>;
type Script = Partial<
  Record<
    'InitiateExport' | 'PollExportStatus' | 'DownloadResources' | 'FinalizeJob' | 'RecordFailure',
    Handler
  >
>;

async function run(script: Script) {
  const calls: { state: string; payload: Record<string, unknown> }[] = [];
  const handlers = Object.fromEntries(
    Object.entries(script).map(([state, fn]) => [
      state,
      async (parameters: { FunctionName: string; Payload: Record<string, unknown> }) => {
        calls.push({ state, payload: parameters.Payload });
        return { Payload: await fn(parameters.Payload) };
      },
    ]),
  );
  const machine = new StateMachine(bulkIngestionFlow(FUNCTIONS) as never, {
    validationOptions: { checkArn: true },
  });
  const execution = machine.run({ jobId: 'j-1', org: 'org-1' } as never, {
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      waitTimeOverrides: { WaitForExport: 1 },
      retryIntervalOverrides: Object.fromEntries(Object.keys(script).map((s) => [s, 1])),
    },
  });
  const result = await execution.result.then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error: error.message }),
  );
  return { result, calls, states: calls.map((c) => c.state) };
}

const started: Handler = async (p) => ({ jobId: p.jobId, org: p.org, status: 'in-progress', waitSeconds: 1 });
const pollsThenComplete = (inProgress: number, files = [0, 1, 2]): Handler => {
  let n = 0;
  return async (p) =>
    n++ < inProgress
      ? { jobId: p.jobId, org: p.org, status: 'in-progress', waitSeconds: 1 }
      : { jobId: p.jobId, org: p.org, status: 'complete', waitSeconds: 0, files };
};
const landed: Handler = async (p) => ({ ...p, status: 'landed', lines: 10 });
const finalize: Handler = async (p) => ({ jobId: p.jobId, status: p.error ? 'failed' : 'completed' });

describe('the bulk flow document', () => {
  it('uses only lambda:invoke Tasks with the given functions, FULL-jitter retries and an inline Map', () => {
    const doc = bulkIngestionFlow(FUNCTIONS, { maxConcurrency: 7 }) as {
      States: Record<string, Record<string, unknown>>;
    };
    const download = (
      doc.States.DownloadFiles!.ItemProcessor as { States: Record<string, Record<string, unknown>> }
    ).States.DownloadResources!;
    const tasks = [...Object.values(doc.States).filter((s) => s.Type === 'Task'), download];
    expect(tasks.map((t) => (t.Parameters as { FunctionName: string }).FunctionName).sort()).toEqual(
      [
        FUNCTIONS.initiateExport,
        FUNCTIONS.pollExportStatus,
        FUNCTIONS.downloadResources,
        FUNCTIONS.finalizeJob,
        FUNCTIONS.finalizeJob,
      ].sort(),
    );
    for (const t of tasks) {
      expect(t).toMatchObject({
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { 'Payload.$': '$' },
        ResultSelector: { 'Payload.$': '$.Payload' },
        OutputPath: '$.Payload',
        Retry: [
          {
            ErrorEquals: expect.arrayContaining(['BulkTransientError']),
            JitterStrategy: 'FULL',
            MaxDelaySeconds: 60,
          },
        ],
      });
    }
    expect(doc.States.DownloadFiles).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 7,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' } },
    });
    expect(doc.States.WaitForExport).toEqual({
      Type: 'Wait',
      SecondsPath: '$.waitSeconds',
      Next: 'PollExportStatus',
    });
    expect(JSON.stringify(doc)).not.toMatch(/ItemReader|ItemBatcher|ResultWriter|JSONata|DISTRIBUTED/);
  });

  it('initiates, waits and polls until complete, downloads every file and finalizes', async () => {
    const { result, calls, states } = await run({
      InitiateExport: started,
      PollExportStatus: pollsThenComplete(2),
      DownloadResources: landed,
      FinalizeJob: finalize,
    });
    expect(result).toEqual({ ok: true, value: { jobId: 'j-1', status: 'completed' } });
    expect(states.filter((s) => s === 'PollExportStatus')).toHaveLength(3);
    expect(
      calls
        .filter((c) => c.state === 'DownloadResources')
        .map((c) => c.payload)
        .sort((a, b) => Number(a.index) - Number(b.index)),
    ).toEqual([
      { jobId: 'j-1', index: 0 },
      { jobId: 'j-1', index: 1 },
      { jobId: 'j-1', index: 2 },
    ]);
    expect(calls.find((c) => c.state === 'FinalizeJob')?.payload).toMatchObject({
      jobId: 'j-1',
      downloads: [
        { index: 0, status: 'landed' },
        { index: 1, status: 'landed' },
        { index: 2, status: 'landed' },
      ],
    });
  });

  it('invokes a download again while it reports in-progress (its time budget ran out)', async () => {
    let n = 0;
    const { result, states } = await run({
      InitiateExport: started,
      PollExportStatus: pollsThenComplete(0, [0]),
      DownloadResources: async (p) => ({ ...p, status: n++ < 2 ? 'in-progress' : 'landed' }),
      FinalizeJob: finalize,
    });
    expect(result.ok).toBe(true);
    expect(states.filter((s) => s === 'DownloadResources')).toHaveLength(3);
  });

  it('retries transient errors of every Task, then goes on', async () => {
    const flaky = (fn: Handler): Handler => {
      let failed = false;
      return async (p) => {
        if (!failed) {
          failed = true;
          throw new BulkTransientError('503');
        }
        return fn(p);
      };
    };
    const { result, states } = await run({
      InitiateExport: flaky(started),
      PollExportStatus: flaky(pollsThenComplete(0, [0])),
      DownloadResources: flaky(landed),
      FinalizeJob: flaky(finalize),
    });
    expect(result).toEqual({ ok: true, value: { jobId: 'j-1', status: 'completed' } });
    expect(states).toEqual([
      'InitiateExport',
      'InitiateExport',
      'PollExportStatus',
      'PollExportStatus',
      'DownloadResources',
      'DownloadResources',
      'FinalizeJob',
      'FinalizeJob',
    ]);
  });

  it('records a permanent failure of the kick-off or a poll through RecordFailure and ends in JobFailed', async () => {
    for (const failing of ['InitiateExport', 'PollExportStatus'] as const) {
      const { result, calls } = await run({
        InitiateExport:
          failing === 'InitiateExport'
            ? async () => Promise.reject(new BulkPermanentError('HTTP 400'))
            : started,
        PollExportStatus: async () => Promise.reject(new BulkPermanentError('HTTP 500 (export crashed)')),
        FinalizeJob: finalize,
        RecordFailure: finalize,
      });
      expect(result).toEqual({ ok: false, error: expect.stringContaining('The bulk job failed') });
      expect(calls.at(-1)).toMatchObject({
        state: 'RecordFailure',
        payload: { jobId: 'j-1', error: { Error: 'BulkPermanentError' } },
      });
    }
  });

  it('turns a download that keeps failing into a failed item and still finalizes the job', async () => {
    const { result, calls } = await run({
      InitiateExport: started,
      PollExportStatus: pollsThenComplete(0, [0, 1]),
      DownloadResources: async (p) => {
        if (p.index === 1) throw new BulkTransientError('503 forever');
        return landed(p);
      },
      FinalizeJob: async (p) => ({ jobId: p.jobId, status: 'completed-with-errors' }),
    });
    expect(result).toEqual({ ok: true, value: { jobId: 'j-1', status: 'completed-with-errors' } });
    expect(calls.filter((c) => c.state === 'DownloadResources' && c.payload.index === 1)).toHaveLength(7);
    const downloads = (
      calls.find((c) => c.state === 'FinalizeJob')!.payload.downloads as { index: number }[]
    ).sort((a, b) => a.index - b.index);
    expect(downloads).toEqual([
      { jobId: 'j-1', index: 0, status: 'landed', lines: 10 },
      {
        jobId: 'j-1',
        index: 1,
        status: 'failed',
        error: { Error: 'BulkTransientError', Cause: '503 forever' },
      },
    ]);
  });

  it('ends in JobFailed when FinalizeJob reports a failed job', async () => {
    const { result } = await run({
      InitiateExport: started,
      PollExportStatus: pollsThenComplete(0, []),
      FinalizeJob: async (p) => ({ jobId: p.jobId, status: 'failed' }),
    });
    expect(result.ok).toBe(false);
  });
});
