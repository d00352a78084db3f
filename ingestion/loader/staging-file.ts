/**
 * A local NDJSON file the loader stages a landing file's accepted lines in, for the warehouse to
 * copy in bulk. Line N of the staging file is line N of the landing file: refused and blank lines
 * become `{}` placeholders, so the warehouse can number rows itself. Writes are batched and
 * respect back-pressure, so memory stays flat whatever the file size.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';

/** The placeholder written for a line that is not staged (see `StagedJsonLines`). */
export const PLACEHOLDER = '{}';
const BATCH_CHARS = 256 * 1024;

export interface StagingFile {
  readonly path: string;
  /** Stages `text` as line `row` (1-based, increasing); the lines skipped before it become placeholders. */
  accept(row: number, text: string): Promise<void>;
  /** Flushes and closes the file (it stays on disk until `remove`). */
  close(): Promise<void>;
  /** Closes if needed and deletes the file. */
  remove(): Promise<void>;
}

export function createStagingFile(path: string): StagingFile {
  const out = createWriteStream(path, { highWaterMark: 1024 * 1024 });
  let failure: Error | null = null;
  out.on('error', (error) => {
    failure = error;
  });
  let batch: string[] = [];
  let batchChars = 0;
  let next = 1;
  let closed = false;

  const flush = async () => {
    if (failure) throw failure;
    if (batch.length === 0) return;
    const text = batch.join('');
    batch = [];
    batchChars = 0;
    if (!out.write(text)) await Promise.race([once(out, 'drain'), once(out, 'error')]);
    if (failure) throw failure;
  };
  const accept = async (row: number, text: string) => {
    for (; next < row; next++) batch.push(`${PLACEHOLDER}\n`);
    batch.push(text, '\n');
    batchChars += text.length + 1;
    next = row + 1;
    if (batchChars >= BATCH_CHARS || batch.length > 4096) await flush();
  };
  const close = async () => {
    if (closed) return;
    closed = true;
    await flush();
    out.end();
    await once(out, 'close');
    if (failure) throw failure;
  };

  return {
    path,
    accept,
    close,
    async remove() {
      if (!closed) {
        closed = true;
        out.destroy();
      }
      await rm(path, { force: true });
    },
  };
}
