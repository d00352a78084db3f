/**
 * Starts the Snowflake stand-in (fakesnow's HTTP server behind `server.py`) on
 * a free loopback port and stops it. The child also stops when this process dies (its stdin closes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '../../..');
const PYTHON = resolve(ROOT, '.venv/bin/python');
const SERVER = resolve(import.meta.dirname, 'server.py');

export interface StandinOptions {
  /** Fixed port (the `snowflake:local` script's 64616); a free one by default. */
  port?: number;
  /** Directory of the databases' DuckDB files; in memory when unset. */
  dbPath?: string;
  /** Delay added before every statement (benchmarks). */
  latencyMs?: number;
  /** Statements answered as no-ops (fakesnow's `nop_regexes`). */
  nopRegexes?: string[];
  /** Ready within this long, or the start fails. */
  startTimeoutMs?: number;
}

export interface Standin {
  /** `http://127.0.0.1:<port>`: the driver's `accessUrl`. */
  accessUrl: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts the stand-in and resolves once it listens. */
export async function startSnowflakeStandin(options: StandinOptions = {}): Promise<Standin> {
  const args = ['-W', 'ignore', SERVER, '--port', String(options.port ?? 0)];
  if (options.dbPath) args.push('--db-path', options.dbPath);
  if (options.latencyMs) args.push('--latency-ms', String(options.latencyMs));
  for (const re of options.nopRegexes ?? []) args.push('--nop-regex', re);
  const child = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(
      () => fail(new Error('the Snowflake stand-in did not start in time')),
      options.startTimeoutMs ?? 30_000,
    );
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the Snowflake stand-in exited (${code}):\n${stderr.join('').slice(-2000)}`));
    });
  });
  return { accessUrl: `http://127.0.0.1:${port}`, port, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}
