/**
 * Commits staged files in the background: each transaction takes every file staged since the
 * last one (up to `maxBatchBytes`), inserts each file's rows and history row, and commits, so a
 * kill leaves every file wholly loaded or not at all. A failed batch is retried file by file, so
 * only the file at fault stays unloaded. `push` waits while `maxQueuedBytes` are staged.
 */
import type { Warehouse } from '../../src/warehouse';
import { commitStaged, type FileLoaded, type StagedFile } from './load-file';

export interface Committer {
  /** Queues a staged file; resolves once there is room for more. */
  push(staged: StagedFile): Promise<void>;
  /** Resolves when every queued file is committed (or dropped after a failure). */
  drain(): Promise<void>;
}

export interface CommitterOptions {
  maxBatchBytes?: number;
  maxQueuedBytes?: number;
}

export function createCommitter(
  warehouse: Warehouse,
  onCommitted: (f: FileLoaded) => void,
  onFailure: (error: unknown) => void,
  options: CommitterOptions = {},
): Committer {
  const maxBatchBytes = options.maxBatchBytes ?? 64 * 1024 * 1024;
  const maxQueuedBytes = options.maxQueuedBytes ?? 256 * 1024 * 1024;
  const queue: StagedFile[] = [];
  let queuedBytes = 0;
  let failed = false;
  let loop: Promise<void> | null = null;
  let room: (() => void)[] = [];

  const commitBatch = async (batch: StagedFile[]) => {
    try {
      const done = await warehouse.transaction(async (tx) => {
        const out: FileLoaded[] = [];
        for (const staged of batch) out.push(await commitStaged(tx, staged));
        return out;
      });
      for (const f of done) onCommitted(f);
    } catch (error) {
      if (batch.length === 1) throw error;
      for (const staged of batch) onCommitted(await warehouse.transaction((tx) => commitStaged(tx, staged)));
    }
  };

  const run = async () => {
    while (queue.length > 0) {
      const batch: StagedFile[] = [];
      let bytes = 0;
      while (queue.length > 0 && (batch.length === 0 || bytes + queue[0]!.bytes <= maxBatchBytes)) {
        const next = queue.shift()!;
        bytes += next.bytes;
        batch.push(next);
      }
      try {
        if (!failed) await commitBatch(batch);
      } catch (error) {
        failed = true;
        onFailure(error);
      } finally {
        await Promise.all(batch.map((s) => s.remove()));
        queuedBytes -= bytes;
        const waiting = room;
        room = [];
        for (const wake of waiting) wake();
      }
    }
    loop = null;
  };

  return {
    async push(staged) {
      queue.push(staged);
      queuedBytes += staged.bytes;
      loop ??= run();
      while (queuedBytes > maxQueuedBytes && loop) await new Promise<void>((r) => room.push(r));
    },
    async drain() {
      while (loop) await loop;
    },
  };
}
