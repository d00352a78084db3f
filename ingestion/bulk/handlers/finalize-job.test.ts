import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { createLogger } from '../../../src/logger';
import { createBulkDeps } from '../bulk-deps';
import type { FileRecord } from '../bulk-job-store';
import { LEDGER_IMBALANCE_FIELD } from '../ledger';
import { createFinalizeJobHandler } from './finalize-job';

/** A logger whose JSON lines are kept in `lines`. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ destination }), lines };
}

/** What CloudWatch's `{ $.ledger.imbalance > 0 }` filter reads from one JSON line. */
const imbalanceOf = (line: Record<string, unknown>) =>
  LEDGER_IMBALANCE_FIELD.slice(2)
    .split('.')
    .reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], line);

async function finalizeWith(records: Partial<FileRecord>[]) {
  const dir = mkdtempSync(join(tmpdir(), 'finalize-'));
  const deps = await createBulkDeps(loadConfig({ DATA_DIR: dir, OBJECT_STORE: 'local' }));
  const jobId = 'ledger-1';
  await deps.jobs.saveJob({
    jobId,
    source: 'https://ehr.invalid/fhir',
    org: 'org-1',
    level: 'system',
    createdAt: '2026-01-01T00:00:00Z',
    kickoffUrl: 'https://ehr.invalid/fhir/$export',
    statusUrl: 'https://ehr.invalid/status/1',
    pollStartedAt: '2026-01-01T00:00:00Z',
    polls: 1,
    transientFaults: 0,
  });
  await deps.jobs.saveManifest(jobId, {
    transactionTime: '2026-01-01T00:00:00Z',
    request: 'https://ehr.invalid/fhir/$export',
    requiresAccessToken: true,
    files: records.map((_, i) => ({
      kind: 'output' as const,
      type: 'Patient',
      url: `https://ehr.invalid/f${i}`,
    })),
  });
  for (const [index, over] of records.entries()) {
    await deps.jobs.saveFile(jobId, {
      index,
      kind: 'output',
      type: 'Patient',
      status: 'landed',
      offset: 0,
      rows: 3,
      segments: 1,
      bytes: 30,
      lines: 3,
      landed: 2,
      quarantined: 1,
      deleted: 0,
      keys: [],
      ...over,
    });
  }
  const { log, lines } = capturingLogger();
  const result = await createFinalizeJobHandler(async () => deps, log)({ jobId, org: 'org-1' });
  log.flush();
  return { result, lines: lines.filter((l) => 'ledger' in l) };
}

describe('FinalizeJob', () => {
  it('logs one ledger line the imbalance alarm reads as 0 when every file balanced', async () => {
    const { result, lines } = await finalizeWith([{}, {}]);
    expect(result.status).toBe('completed');
    expect(lines).toHaveLength(1);
    expect(imbalanceOf(lines[0]!)).toBe(0);
    expect(lines[0]).toMatchObject({ ledger: { jobId: 'ledger-1', lines: 6, landed: 4, quarantined: 2 } });
  });

  it('logs the number of files that lost lines or never landed, which trips the alarm', async () => {
    const { result, lines } = await finalizeWith([
      { landed: 1 },
      { status: 'failed', error: 'HTTP 410' },
      {},
    ]);
    expect(result.status).toBe('completed-with-errors');
    expect(lines).toHaveLength(1);
    expect(imbalanceOf(lines[0]!)).toBe(2);
    expect(lines[0]).toMatchObject({ level: 40 });
  });
});
