/**
 * The job ledger: per file and in total, bytes, lines seen, landed, quarantined and tombstones, with
 * the status that follows from them. Nothing is lost without showing here: a file that did not
 * land, or landed without balancing, keeps the job from being `completed`.
 */
import type { BulkLedger, FileRecord, StoredManifest } from './bulk-job-store';
import type { DownloadResult } from './flow-state';

export function balanceLedger(input: {
  jobId: string;
  org: string;
  manifest: StoredManifest | null;
  records: (FileRecord | null)[];
  downloads: DownloadResult[];
  failure?: string;
}): BulkLedger {
  const files = input.manifest?.files ?? [];
  const perFile: BulkLedger['perFile'] = files.map((f, index) => {
    const r = input.records[index];
    const caught = input.downloads.find((d) => d.index === index && d.error !== undefined);
    const error = r?.error ?? (caught ? describe(caught.error) : r ? undefined : 'never downloaded');
    return {
      index,
      kind: f.kind,
      type: f.type,
      status: r?.status ?? 'in-progress',
      bytes: r?.bytes ?? 0,
      lines: r?.lines ?? 0,
      landed: r?.landed ?? 0,
      quarantined: r?.quarantined ?? 0,
      deleted: r?.deleted ?? 0,
      ...(error && r?.status !== 'landed' ? { error } : {}),
    };
  });
  const data = perFile.filter((f) => f.kind !== 'error');
  const sum = (key: 'bytes' | 'lines' | 'landed' | 'quarantined' | 'deleted') =>
    data.reduce((n, f) => n + f[key], 0);
  const balanced = data.every((f) => f.status === 'landed' && f.lines === f.landed + f.quarantined);
  const errors = perFile.filter((f) => f.kind === 'error').reduce((n, f) => n + f.lines, 0);
  const landedFiles = perFile.filter((f) => f.status === 'landed').length;
  const failedFiles = perFile.filter((f) => f.status === 'failed').length;
  const status = input.failure
    ? 'failed'
    : balanced && landedFiles === perFile.length && errors === 0
      ? 'completed'
      : 'completed-with-errors';
  return {
    jobId: input.jobId,
    org: input.org,
    status,
    ...(input.manifest ? { transactionTime: input.manifest.transactionTime } : {}),
    files: {
      total: perFile.length,
      landed: landedFiles,
      failed: failedFiles,
      unfinished: perFile.length - landedFiles - failedFiles,
    },
    bytes: sum('bytes'),
    lines: sum('lines'),
    landed: sum('landed'),
    quarantined: sum('quarantined'),
    deleted: sum('deleted'),
    errors,
    balanced,
    ...(input.failure ? { failure: input.failure } : {}),
    perFile,
  };
}

/** Where `ledgerLogLine` puts the imbalance, as a CloudWatch Logs JSON selector. */
export const LEDGER_IMBALANCE_FIELD = '$.ledger.imbalance';

/**
 * The one JSON log line a finished job leaves (counts and ids only, no PHI): `ledger.imbalance` is
 * the number of data files that did not land balanced (lines seen ≠ landed + quarantined, or not
 * landed at all). The Observability stack's metric filter alarms on `LEDGER_IMBALANCE_FIELD > 0`
 * (infra/lib/constructs/platform-alarms.ts).
 */
export function ledgerLogLine(ledger: BulkLedger) {
  const imbalance = ledger.perFile.filter(
    (f) => f.kind !== 'error' && (f.status !== 'landed' || f.lines !== f.landed + f.quarantined),
  ).length;
  return {
    ledger: {
      jobId: ledger.jobId,
      org: ledger.org,
      status: ledger.status,
      imbalance,
      files: ledger.files.total,
      lines: ledger.lines,
      landed: ledger.landed,
      quarantined: ledger.quarantined,
      deleted: ledger.deleted,
      errors: ledger.errors,
    },
  };
}

function describe(error: unknown): string {
  const e = error as { Error?: string; Cause?: string } | undefined;
  return `${e?.Error ?? 'Error'}: ${e?.Cause ?? ''}`.slice(0, 500);
}
