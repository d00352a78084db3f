/**
 * Peak resident memory of this process and every process it started (dbt's Python, DuckDB
 * inside it), sampled from /proc every `intervalMs`: the figure a machine's memory must hold.
 */
import { readdirSync, readFileSync } from 'node:fs';

function treeRssBytes(root: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(pid, Number(fields[1]));
      rss.set(pid, Number(fields[21]) * 4096);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  for (const [pid, bytes] of rss) {
    for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += bytes;
        break;
      }
    }
  }
  return total;
}

/** Runs `fn`, returning its result, the wall seconds and the peak RSS (MB) of the process tree. */
export async function measureTree<T>(
  fn: () => Promise<T>,
  intervalMs = 100,
): Promise<{ result: T; seconds: number; peakMb: number }> {
  let peak = treeRssBytes(process.pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssBytes(process.pid));
  }, intervalMs);
  const started = performance.now();
  try {
    const result = await fn();
    return { result, seconds: (performance.now() - started) / 1000, peakMb: peak / 1e6 };
  } finally {
    clearInterval(timer);
  }
}
