import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const dir = await mkdtemp(join(tmpdir(), 'fhir-gateway-start-'));
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with a clean environment (no inherited variables), collecting its output. */
function cli(args: string[]) {
  const child = spawn(process.execPath, ['bin/fhir-gateway.js', ...args], {
    cwd: ROOT,
    env: { DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'warn', PUBLIC_BASE_URL: 'http://gateway.test' },
  });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => {
    out.stdout += d;
  });
  child.stderr.on('data', (d) => {
    out.stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout') => {
    const deadline = Date.now() + 240_000;
    while (!pattern.test(out[stream])) {
      if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${out.stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, out, exited, waitFor };
}

/** What the banner printed: the listening port and the first organization's token. */
function parseBanner(stdout: string) {
  return {
    port: Number(/http:\/\/localhost:(\d+)\/graphql/.exec(stdout)![1]),
    token: /export TOKEN=(\S+)/.exec(stdout)![1]!,
    organizations: [...stdout.matchAll(/^ {2}(org-\d+)$/gm)].map((m) => m[1]),
  };
}

describe('fhir-gateway start, serve and token', () => {
  it('generates, loads, builds and serves on first start, then reuses everything on the second', async () => {
    const first = cli(['start', '--patients', '24', '--orgs', '2', '--seed', '9']);
    await first.waitFor(/is up in/);
    const banner = parseBanner(first.out.stdout);
    expect(banner.organizations).toEqual(['org-1', 'org-2']);
    expect(first.out.stderr).toMatch(/Running with dbt=1\.\d+/);
    const res = await fetch(`http://127.0.0.1:${banner.port}/v1/fhir/Patient?_count=2`, {
      headers: { Authorization: `Bearer ${banner.token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = cli(['start']);
    await second.waitFor(/is up in/);
    expect(second.out.stderr).not.toMatch(/Running with dbt=/);
    expect(second.out.stderr).not.toMatch(/^generate/m);
    expect(parseBanner(second.out.stdout).organizations).toEqual(['org-1', 'org-2']);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 300_000);

  it('serves the built warehouse with `serve`, and `token` prints a token it accepts, alone on stdout', async () => {
    const token = cli(['token', '--org', 'org-2', '--scope', 'system/Patient.rs']);
    expect(await token.exited).toBe(0);
    expect(token.out.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);

    const serve = cli(['serve']);
    await serve.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/, 'stderr');
    const url = /listening on (\S+)/.exec(serve.out.stderr)![1];
    const bearer = { Authorization: `Bearer ${token.out.stdout.trim()}` };
    const patients = await (
      await fetch(`${url}/v1/fhir/Patient?_total=accurate`, { headers: bearer })
    ).json();
    expect(patients).toMatchObject({ resourceType: 'Bundle', total: expect.any(Number) });
    expect(patients.total).toBeGreaterThan(0);
    const forbidden = await fetch(`${url}/v1/fhir/Observation`, { headers: bearer });
    expect(forbidden.status).toBe(403);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });

  it('keeps answering while `load` and `transform` run beside it, then serves the new build whole', async () => {
    const serve = cli(['serve']);
    await serve.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+/, 'stderr');
    const url = /listening on (\S+)/.exec(serve.out.stderr)![1];
    const token = cli(['token', '--org', 'org-1']);
    expect(await token.exited).toBe(0);
    const bearer = { Authorization: `Bearer ${token.out.stdout.trim()}` };
    const total = async () =>
      (
        (await (await fetch(`${url}/v1/fhir/Patient?_summary=count`, { headers: bearer })).json()) as {
          total: number;
        }
      ).total;
    const before = await total();

    const generated = cli(['generate', '--patients', '8', '--orgs', '2', '--seed', '10']);
    expect(await generated.exited).toBe(0);
    const load = cli(['load', '--quiet']);
    expect(await load.exited).toBe(0);
    const build = cli(['transform', 'run']);
    const answers: number[] = [];
    while (build.child.exitCode === null) {
      answers.push(await total());
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await build.exited).toBe(0);
    // The server re-reads `marts/CURRENT` (every 0.5 s) and its cache re-reads the build id (every
    // 1 s), so the new build shows within a couple of seconds; wait for it, bounded.
    let after = await total();
    for (let tries = 0; after === before && tries < 25; tries++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await total();
    }

    expect(answers.length).toBeGreaterThan(3);
    // Every answer during the build came from one whole build: the old total or the new one.
    expect(answers.every((n) => n === before || n === after)).toBe(true);
    expect(after).toBeGreaterThan(before);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 300_000);
});
