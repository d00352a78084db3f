/**
 * The Bulk Data client's conformance suite: the flow document run locally (aws-local-stepfunctions)
 * with the real handlers against the protocol-faithful test server on loopback, each fault in turn.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDownloadResourcesHandler } from '../../ingestion/bulk/handlers/download-resources';
import { parseLandingKey } from '../../ingestion/landing/landing-keys';
import { QUARANTINE_PREFIX } from '../../ingestion/loader';
import { openRawWarehouse } from '../../src/warehouse';
import { cohortLines } from '../support/bulk-data-server';
import { type BulkHarness, type BulkHarnessOptions, openBulkHarness } from '../support/bulk-harness';

const RESOURCES = cohortLines({ patients: 12, seed: 7 });
const TYPES = ['Patient', 'Encounter', 'Observation', 'Condition'];
const count = (type: string) => RESOURCES.get(type)!.length;
const TOTAL = TYPES.reduce((n, t) => n + count(t), 0);

let h: BulkHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const open = async (server: Partial<BulkHarnessOptions['server']> = {}, env?: Record<string, string>) => {
  h = await openBulkHarness({ server: { resources: RESOURCES, linesPerFile: 200, ...server }, env });
  return h;
};

async function keysUnder(harness: BulkHarness, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of harness.deps.store.list(prefix)) keys.push(o.key);
  return keys;
}

async function quarantined(harness: BulkHarness) {
  const records: { reason: string; source_row: number; line: string }[] = [];
  for (const key of await keysUnder(harness, QUARANTINE_PREFIX)) {
    for (const line of (await harness.deps.store.get(key)).toString('utf8').split('\n')) {
      if (line) records.push(JSON.parse(line));
    }
  }
  return records;
}

describe('the happy path', () => {
  it('lands every resource once under keys of its job, tokens only to the FHIR server, then deletes the export', async () => {
    const s = await open({ auth: true, progressPolls: 2 });
    const result = await s.run({ jobId: 'happy-1', types: TYPES });
    expect(result.outcome).toMatchObject({ status: 'completed' });
    expect(result.ledger).toMatchObject({
      status: 'completed',
      balanced: true,
      lines: TOTAL,
      landed: TOTAL,
      quarantined: 0,
      deleted: 0,
    });
    const keys = (await keysUnder(s, 'landing/')).map((k) => parseLandingKey(k));
    expect(keys.every((k) => k && k.org === 'org-1' && k.batchId.startsWith('happy-1-f'))).toBe(true);
    const files = s.server.requests.filter((r) => r.path.startsWith('/files/'));
    expect(files.length).toBe(result.ledger!.files.total);
    expect(files.every((r) => !r.bearer && r.gzip)).toBe(true);
    const fhir = s.server.requests.filter((r) => r.path.includes('$export') || r.path.includes('_status'));
    expect(fhir.every((r) => r.bearer)).toBe(true);
    expect(s.server.kickoffs[0]).toMatchObject({ level: 'system', params: { _type: TYPES.join(',') } });
    expect(s.server.deletedExports()).toBe(1);
    expect(await s.deps.jobs.readJob('happy-1')).toMatchObject({ progress: '67% done', polls: 3 });
  });

  it('loads exactly the resources the server held into the raw tables', async () => {
    const s = await open({});
    const raw = await openRawWarehouse(s.config);
    try {
      const result = await s.run({ types: TYPES }, { warehouse: raw });
      expect(result.load).toMatchObject({ loaded: TOTAL, quarantined: 0 });
      for (const type of TYPES) {
        const rows = await raw.query<{ n: number; ids: number }>(
          `select count(*)::int as n, count(distinct resource_id)::int as ids from raw.fhir_${type.toLowerCase()}`,
        );
        expect(rows[0]).toEqual({ n: count(type), ids: count(type) });
      }
    } finally {
      await raw.close();
    }
  });

  it('sends the bearer token with file requests when the manifest requires it, and kicks off Patient and Group levels', async () => {
    const s = await open({ auth: true, requiresAccessToken: true });
    expect((await s.run({ level: 'patient', types: ['Patient'] })).ledger?.status).toBe('completed');
    expect((await s.run({ level: 'group:g-1', types: ['Patient'], method: 'POST' })).ledger?.status).toBe(
      'completed',
    );
    expect(s.server.requests.filter((r) => r.path.startsWith('/files/')).every((r) => r.bearer)).toBe(true);
    expect(s.server.kickoffs.map((k) => [k.level, k.params._type])).toEqual([
      ['patient', 'Patient'],
      ['group:g-1', 'Patient'],
    ]);
  });

  it('kicks off by POST with a Parameters body carrying patient, _since, _until and _typeFilter', async () => {
    const s = await open({});
    const result = await s.run({
      level: 'patient',
      types: ['Patient'],
      patients: ['Patient/p-1', 'Patient/p-2'],
      since: '2020-01-01T00:00:00Z',
      until: '2030-01-01T00:00:00Z',
      typeFilter: ['Patient?gender=female'],
    });
    expect(result.ledger?.status).toBe('completed');
    expect(s.server.kickoffs).toEqual([
      {
        level: 'patient',
        params: {
          _type: 'Patient',
          _since: '2020-01-01T00:00:00Z',
          _until: '2030-01-01T00:00:00Z',
          _typeFilter: ['Patient?gender=female'],
          patient: ['Patient/p-1', 'Patient/p-2'],
        },
      },
    ]);
  });

  it('walks a paged manifest', async () => {
    const s = await open({ manifestPageSize: 2 });
    const result = await s.run({ types: TYPES });
    expect(result.ledger).toMatchObject({ status: 'completed', landed: TOTAL });
    expect(s.server.requests.filter((r) => r.path.includes('_status')).length).toBeGreaterThan(3);
  });
});

describe('faults', () => {
  it('retries transient 429 and 503 answers at kick-off, status and download, then completes', async () => {
    const s = await open({ faults: { kickoff: [429, 503], status: [503, 429, 503], download: [503, 429] } });
    const result = await s.run({ types: TYPES });
    expect(result.ledger).toMatchObject({ status: 'completed', landed: TOTAL });
    expect(s.server.kickoffs.length).toBe(3);
  });

  it('ends a refused kick-off as failed, with the server diagnostics in the ledger', async () => {
    const s = await open({
      fail: { at: 'kickoff', status: 400, diagnostics: '_typeFilter is not supported' },
    });
    const result = await s.run({ types: TYPES });
    expect(result.outcome).toHaveProperty('error');
    expect(result.ledger).toMatchObject({ status: 'failed', files: { total: 0 } });
    expect(result.ledger?.failure).toContain('_typeFilter is not supported');
  });

  it('ends a failed export (500 with an OperationOutcome) as failed', async () => {
    const s = await open({ fail: { at: 'status', status: 500, diagnostics: 'export crashed' } });
    const result = await s.run({ types: TYPES });
    expect(result.ledger).toMatchObject({ status: 'failed' });
    expect(result.ledger?.failure).toMatch(/HTTP 500.*export crashed/);
  });

  it('marks files whose links expired as failed: completed-with-errors, never completed', async () => {
    const s = await open({ linkLifetimeSeconds: 0 });
    const result = await s.run({ types: ['Patient'] });
    expect(result.ledger).toMatchObject({ status: 'completed-with-errors', landed: 0, files: { failed: 1 } });
    expect(result.ledger?.perFile[0]?.error).toMatch(/HTTP 410.*expired/);
  });

  it('keeps the server error files with the job and says completed-with-errors', async () => {
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'processing', diagnostics: 'Patient p9 unreadable' }],
    };
    const s = await open({ errors: [outcome] });
    const result = await s.run({ jobId: 'errs-1', types: ['Patient'] });
    expect(result.ledger).toMatchObject({
      status: 'completed-with-errors',
      errors: 1,
      landed: count('Patient'),
    });
    const kept = await keysUnder(s, 'jobs/bulk/errs-1/errors/');
    expect(JSON.parse((await s.deps.store.get(kept[0]!)).toString('utf8'))).toEqual(outcome);
  });

  it('refuses a loopback server unless private networks are allowed', async () => {
    const s = await open({}, { BULK_ALLOW_PRIVATE_NETWORKS: 'false' });
    const result = await s.run({ types: TYPES });
    expect(result.ledger).toMatchObject({ status: 'failed' });
    expect(result.ledger?.failure).toMatch(/private address/);
    expect(s.server.requests).toEqual([]);
  });

  it('refreshes an expired token mid-job', async () => {
    const s = await open({ auth: { tokenUses: 2 }, progressPolls: 3 });
    const result = await s.run({ types: TYPES });
    expect(result.ledger).toMatchObject({ status: 'completed', landed: TOTAL });
    expect(s.server.tokensIssued()).toBeGreaterThanOrEqual(2);
  });
});

describe('bad lines and re-delivery', () => {
  it('quarantines corrupt lines with their reasons and keeps the ledger balanced', async () => {
    const s = await open({
      extraLines: {
        Patient: ['{not json', '{"resourceType":"Patient"}', '{"resourceType":"Encounter","id":"e-x"}'],
      },
    });
    const result = await s.run({ types: ['Patient'] });
    expect(result.ledger).toMatchObject({
      status: 'completed',
      balanced: true,
      lines: count('Patient') + 3,
      landed: count('Patient'),
      quarantined: 3,
    });
    const records = await quarantined(s);
    expect(records.map((r) => [r.source_row, r.reason.split(':')[0]])).toEqual([
      [count('Patient') + 1, 'not-json'],
      [count('Patient') + 2, 'missing-id'],
      [count('Patient') + 3, 'type-mismatch'],
    ]);
  });

  it('lands nothing more when a download is delivered again', async () => {
    const s = await open({});
    const result = await s.run({ jobId: 'dup-1', types: TYPES });
    const before = await keysUnder(s, 'landing/');
    const requests = s.server.requests.length;
    const download = createDownloadResourcesHandler(async () => s.deps);
    const again = await download({ jobId: 'dup-1', index: 1 });
    expect(again).toMatchObject({ status: 'landed', lines: result.ledger!.perFile[1]!.lines });
    expect(await keysUnder(s, 'landing/')).toEqual(before);
    expect(s.server.requests.length).toBe(requests);
  });

  it('turns deleted entries into tombstones under their own types', async () => {
    const patient = JSON.parse(RESOURCES.get('Patient')![0]!).id as string;
    const s = await open({ deleted: [{ type: 'Patient', id: patient }] });
    const result = await s.run({ types: ['Patient'] });
    expect(result.ledger).toMatchObject({ status: 'completed', deleted: 1 });
    const deletedFile = result.ledger!.perFile.find((f) => f.kind === 'deleted')!;
    const keys = await keysUnder(s, 'landing/');
    const tombstoneKey = keys.find((k) => k.includes(`-f${String(deletedFile.index).padStart(5, '0')}/`))!;
    expect(parseLandingKey(tombstoneKey)).toMatchObject({ type: 'Patient' });
    const tombstone = JSON.parse((await s.deps.store.get(tombstoneKey)).toString('utf8'));
    expect(tombstone).toMatchObject({
      resourceType: 'Patient',
      id: patient,
      meta: { tag: [{ system: 'urn:fhir-gateway:tombstone' }] },
    });
  });

  it('continues from the last completed job with --since last', async () => {
    const s = await open({});
    const first = await s.run({ types: ['Patient'] });
    await s.run({ types: ['Patient'], since: 'last' });
    expect(s.server.kickoffs[1]?.params._since).toBe(first.ledger?.transactionTime);
  });
});
