/**
 * The local warehouse's marts builds. dbt runs as a process of its own and DuckDB lets one
 * process write a file, so each build writes a fresh file (`marts/<build>.duckdb`, started from a
 * copy of the served one for incremental models) while the server keeps reading the current one.
 * `marts/CURRENT` names the served build; it is replaced atomically (write + rename) only after a
 * build succeeded, so a reader sees one whole build or the next, never half of one. Superseded
 * files are removed at once: a reader that still has one open keeps reading it until it switches
 * (POSIX keeps an unlinked file's data while it is open).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const POINTER = 'CURRENT';
const BUILD_FILE = /^build-[0-9TZ]+-[0-9a-f]{6}\.duckdb$/;

/** The file name of the build being served, or `undefined` before the first build. */
export async function currentBuildFile(martsDir: string): Promise<string | undefined> {
  try {
    const name = (await readFile(join(martsDir, POINTER), 'utf8')).trim();
    return BUILD_FILE.test(name) ? join(martsDir, name) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface PendingBuild {
  /** The new build's DuckDB file (dbt's target path). */
  path: string;
  /** Makes this build the served one and removes the superseded files. */
  publish(): Promise<void>;
  /** Removes this build's file (a failed or read-only run). */
  discard(): Promise<void>;
}

/**
 * A new build file: a copy of the served build (so incremental models add to it), or empty with
 * `fresh` (a full refresh, or the first build).
 */
export async function prepareBuild(
  martsDir: string,
  options: { fresh?: boolean } = {},
): Promise<PendingBuild> {
  await mkdir(martsDir, { recursive: true });
  const lock = await acquireBuildLock(martsDir);
  const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
  const name = `build-${stamp}-${randomBytes(3).toString('hex')}.duckdb`;
  const path = join(martsDir, name);
  const current = await currentBuildFile(martsDir);
  // A copy-on-write clone where the file system offers one, a plain copy elsewhere.
  try {
    if (current && !options.fresh) await copyFile(current, path, constants.COPYFILE_FICLONE);
  } catch (error) {
    await lock.release();
    throw error;
  }
  const removeFiles = (file: string) =>
    Promise.all([rm(file, { force: true }), rm(`${file}.wal`, { force: true })]);
  return {
    path,
    async publish() {
      const next = join(martsDir, `${POINTER}.${name}.tmp`);
      await writeFile(next, `${name}\n`);
      await rename(next, join(martsDir, POINTER));
      for (const entry of await readdir(martsDir)) {
        if (entry === name || entry === `${name}.wal`) continue;
        if (BUILD_FILE.test(entry) || entry.endsWith('.duckdb.wal'))
          await rm(join(martsDir, entry), { force: true });
      }
      await lock.release();
    },
    async discard() {
      await removeFiles(path);
      await lock.release();
    },
  };
}

/**
 * One build at a time: `marts/BUILDING` holds the builder's pid, taken with an exclusive create.
 * A lock whose process is gone is taken over; a live one is waited for.
 */
async function acquireBuildLock(martsDir: string): Promise<{ release(): Promise<void> }> {
  const file = join(martsDir, 'BUILDING');
  for (let waited = 0; ; waited += 250) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx' });
      return { release: () => rm(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (!isAlive(holder)) {
      await rm(file, { force: true });
      continue;
    }
    if (waited === 0) process.stderr.write(`waiting for the dbt build of process ${holder} to finish\n`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
