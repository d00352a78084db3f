/**
 * Carries a landed job through the rest of the chain in the background — the warehouse
 * refresh (load, then transform) — recording each state it reaches, and assembles its error
 * file: what the door refused, then what the loader quarantined from the job's batch.
 */
import { Readable } from 'node:stream';
import type { Logger } from '../../src/logger';
import type { ObjectStore } from '../../src/object-store';
import { QUARANTINE_PREFIX, type QuarantineRecord } from '../loader';
import { readLines } from '../ndjson';
import type { IngestionJob, JobStore } from './job-store';
import type { WarehouseRefresh } from './warehouse-refresh';

export interface JobProgressOptions {
  store: ObjectStore;
  jobs: JobStore;
  refresh?: WarehouseRefresh;
  log: Logger;
}

export function createJobProgress({ store, jobs, refresh, log }: JobProgressOptions) {
  const running = new Set<Promise<void>>();

  async function quarantineKeys(job: IngestionJob): Promise<string[]> {
    const keys: string[] = [];
    for await (const o of store.list(`${QUARANTINE_PREFIX}org=${job.organizationId}/`)) {
      if (o.key.includes(`/batch=${job.batchId}/`)) keys.push(o.key);
    }
    return keys;
  }

  async function* quarantined(job: IngestionJob): AsyncGenerator<QuarantineRecord> {
    for (const key of await quarantineKeys(job)) {
      for await (const line of readLines(await store.stream(key))) {
        if (!line.error) yield JSON.parse(line.text) as QuarantineRecord;
      }
    }
  }

  async function advance(job: IngestionJob): Promise<void> {
    const { organizationId: org, id } = job;
    if (!refresh) return;
    try {
      await refresh.refresh({
        onLoaded: async () => {
          let count = 0;
          for await (const _ of quarantined(job)) count += 1;
          await jobs.update(org, id, (j) => {
            j.state = 'loaded';
            j.counts.quarantined = count;
            if (count > 0) j.reasons.quarantined = count;
          });
        },
      });
      await jobs.update(org, id, (j) => {
        j.state = j.counts.rejected + j.counts.quarantined > 0 ? 'completed-with-errors' : 'transformed';
      });
    } catch (error) {
      log.error({ jobId: id, err: error }, 'ingestion job failed');
      await jobs.update(org, id, (j) => {
        j.state = 'failed';
        j.failure = `the warehouse refresh failed: ${String((error as Error).message ?? error).slice(0, 200)}`;
      });
    }
  }

  return {
    /** Starts the rest of the chain for a landed job; never throws (a failure becomes the job's state). */
    start(job: IngestionJob): void {
      const task: Promise<void> = advance(job)
        .catch((error) => log.error({ jobId: job.id, err: error }, 'ingestion job bookkeeping failed'))
        .finally(() => running.delete(task));
      running.add(task);
    },
    /** Door refusals (`{index, fullUrl, outcome}` or `{file, line, outcome}`) then loader quarantine, as NDJSON. */
    async errorFile(job: IngestionJob): Promise<Readable> {
      const door = await jobs.errors(job.organizationId, job.id);
      async function* lines(): AsyncGenerator<string> {
        if (door) for await (const chunk of door) yield chunk.toString();
        for await (const q of quarantined(job)) {
          yield `${JSON.stringify({
            file: q.source_key,
            line: q.source_row,
            outcome: {
              resourceType: 'OperationOutcome',
              issue: [{ severity: 'error', code: 'invalid', diagnostics: q.reason }],
            },
          })}\n`;
        }
      }
      return Readable.from(lines());
    },
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
