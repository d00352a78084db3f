import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../context';
import { createLogger } from '../logger';
import { createLocalObjectStore, type ObjectStore } from '../object-store';
import { createExportService, type ExportService } from './export-service';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('export status', () => {
  it('does not call an export failed when it finishes between reading its record and checking its run', async () => {
    const root = await mkdtemp(join(tmpdir(), 'export-service-'));
    dirs.push(root);
    const local = createLocalObjectStore({ root });
    let service: ExportService | undefined;
    let stale = false;
    // The status read sees the record as it was, and the run ends before the read returns (the race).
    const store: ObjectStore = {
      ...local,
      async get(key) {
        const body = await local.get(key);
        if (stale) await service!.idle();
        return body;
      },
    };
    const log = createLogger({ level: 'silent' });
    service = createExportService({
      store,
      // An export of no types reads nothing through the context.
      createContext: Object.assign(() => ({ log, requestId: 'test' }) as unknown as RequestContext, {
        invalidate: () => undefined,
      }),
      log,
      fileMaxBytes: 1 << 20,
      fileTtlSeconds: 60,
      maxConcurrentPerOrg: 1,
    });
    const principal = { organizationId: 'org-a', subject: 'client', scopes: ['system/*.rs'] };
    const job = await service.kickOff(
      principal,
      { level: 'system', types: [], typeFilters: {} },
      'http://x/$export',
    );
    stale = true;
    const status = await service.status('org-a', job.id);
    expect(status?.state).not.toBe('failed');
    stale = false;
    expect((await service.status('org-a', job.id))?.state).toBe('completed');
  });
});
