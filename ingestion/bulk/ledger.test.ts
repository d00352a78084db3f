import { describe, expect, it } from 'vitest';
import type { FileRecord, StoredManifest } from './bulk-job-store';
import { balanceLedger } from './ledger';

const manifest: StoredManifest = {
  transactionTime: '2026-01-01T00:00:00Z',
  request: 'x',
  requiresAccessToken: false,
  files: [
    { kind: 'output', type: 'Patient', url: 'u0' },
    { kind: 'deleted', type: 'Bundle', url: 'u1' },
  ],
};
const record = (index: number, over: Partial<FileRecord> = {}): FileRecord => ({
  index,
  kind: manifest.files[index]!.kind,
  type: manifest.files[index]!.type,
  status: 'landed',
  offset: 10,
  rows: 3,
  segments: 1,
  bytes: 10,
  lines: 3,
  landed: 2,
  quarantined: 1,
  deleted: index === 1 ? 2 : 0,
  keys: [],
  ...over,
});
const ledger = (records: (FileRecord | null)[], extra: Partial<Parameters<typeof balanceLedger>[0]> = {}) =>
  balanceLedger({ jobId: 'j', org: 'org-1', manifest, records, downloads: [], ...extra });

describe('the job ledger', () => {
  it('is completed when every file landed and lines seen = landed + quarantined', () => {
    expect(ledger([record(0), record(1)])).toMatchObject({
      status: 'completed',
      balanced: true,
      lines: 6,
      landed: 4,
      quarantined: 2,
      deleted: 2,
      files: { total: 2, landed: 2, failed: 0, unfinished: 0 },
    });
  });

  it('is completed-with-errors when a file did not balance, failed, or never finished', () => {
    expect(ledger([record(0, { landed: 1 }), record(1)])).toMatchObject({
      status: 'completed-with-errors',
      balanced: false,
    });
    expect(ledger([record(0, { status: 'failed', error: 'HTTP 410' }), record(1)])).toMatchObject({
      status: 'completed-with-errors',
      files: { failed: 1 },
      perFile: [{ error: 'HTTP 410' }, {}],
    });
    expect(
      ledger([record(0), null], {
        downloads: [
          { jobId: 'j', index: 1, status: 'failed', error: { Error: 'BulkTransientError', Cause: '503' } },
        ],
      }),
    ).toMatchObject({
      status: 'completed-with-errors',
      files: { unfinished: 1 },
      perFile: [{}, { error: 'BulkTransientError: 503' }],
    });
  });

  it('is failed when the flow reported a failure', () => {
    expect(ledger([record(0), record(1)], { failure: 'kick-off: HTTP 400' })).toMatchObject({
      status: 'failed',
      failure: 'kick-off: HTTP 400',
    });
  });
});
