import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditDestination } from './audit-destination';
import { createAuditLog } from './audit-log';

describe('openAuditDestination', () => {
  it('appends one JSON line per event to a file at once, creating its folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'audit-dest-'));
    try {
      const file = join(dir, 'nested', 'audit.ndjson');
      const destination = openAuditDestination(file) as ReturnType<typeof openAuditDestination> & {
        flushSync(): void;
        end(): void;
      };
      const log = createAuditLog(destination);
      const event = { kind: 'audit', status: 200 } as unknown as Parameters<typeof log.record>[0];
      log.record(event);
      log.record(event);
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
      expect(lines.map((l) => JSON.parse(l))).toEqual([event, event]);
      destination.end();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
