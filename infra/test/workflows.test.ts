/**
 * The GitHub workflows are valid (actionlint, the real tool, built from the Go module proxy by
 * `go run` at a pinned version — cached by Go after the first run), and say what they promise: CI
 * runs .ci/run's steps, deploys use OIDC and never long-lived keys.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from '../lib/constructs/repo-paths';

const ACTIONLINT = 'github.com/rhysd/actionlint/cmd/actionlint@v1.7.12';
const WORKFLOWS = repoPath('.github/workflows');
const files = readdirSync(WORKFLOWS).filter((f) => f.endsWith('.yml'));
const read = (file: string) => readFileSync(join(WORKFLOWS, file), 'utf8');

function actionlint(args: string[], input?: string) {
  const result = spawnSync('go', ['run', ACTIONLINT, '-no-color', ...args], {
    cwd: repoPath('.'),
    input,
    encoding: 'utf8',
    timeout: 280_000,
  });
  if (result.error)
    throw new Error(`actionlint needs Go on PATH (go run ${ACTIONLINT}): ${result.error.message}`);
  // On a fresh machine `go run` first reports each module it fetches; that is Go, not actionlint.
  const stderr = result.stderr.replace(/^go: downloading .*\n/gm, '');
  return { ...result, stderr };
}

describe('the GitHub workflows', () => {
  it('are CI, dbt CI and deploy', () => {
    expect(files.sort()).toEqual(['ci.yml', 'dbt_ci.yml', 'deploy.yml']);
  });

  it('pass actionlint', { timeout: 300_000 }, () => {
    const result = actionlint(files.map((f) => join('.github/workflows', f)));
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('would fail actionlint if a workflow were broken (the check is live)', { timeout: 300_000 }, () => {
    const expression = ['$', '{{ github.nope }}'].join(''); // a GitHub expression with an unknown property
    const broken = `on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${expression}\n`;
    const result = actionlint(['-'], broken);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/nope/);
  });

  it("run .ci/run's steps in CI", () => {
    const steps = (parse(read('ci.yml')).jobs.ci.steps as { run?: string }[])
      .map((s) => s.run ?? '')
      .join('\n');
    const ciRun = readFileSync(repoPath('.ci/run'), 'utf8');
    for (const command of ['npm run lint', 'npm run typecheck', 'npm test', 'infra/check.sh']) {
      expect(ciRun).toContain(command);
      expect(steps).toContain(command);
    }
  });

  it('lint the dbt project and build it against Snowflake on pull requests', () => {
    const workflow = parse(read('dbt_ci.yml'));
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    const { env, steps } = workflow.jobs.dbt;
    expect(env).toMatchObject({ DBT_TARGET: 'snowflake' });
    const runs = (steps as { run?: string }[]).map((s) => s.run ?? '');
    const lint = runs.findIndex((r) => /lint\.sh/.test(r));
    const build = runs.findIndex((r) => /dbt build --target snowflake/.test(r));
    expect(lint, 'SQLFluff step').toBeGreaterThanOrEqual(0);
    expect(build, 'dbt build step after the lint').toBeGreaterThan(lint);
    expect(readFileSync(repoPath('dbt/lint.sh'), 'utf8')).toMatch(/sqlfluff/);
    // Snowflake credentials come from repository secrets, never from the file.
    expect(env.SNOWFLAKE_ACCOUNT).toMatch(/secrets\./);
    expect(read('dbt_ci.yml')).not.toMatch(/BEGIN (RSA |ENCRYPTED )?PRIVATE KEY/);
  });

  it("install the uv of bin/setup-python.js, as the dbt runner's image does", () => {
    const uv = /const UV_VERSION = '([\d.]+)'/.exec(
      readFileSync(repoPath('bin/setup-python.js'), 'utf8'),
    )?.[1];
    expect(uv).toMatch(/^\d+\.\d+\.\d+$/);
    expect([...read('dbt_ci.yml').matchAll(/uv==([\d.]+)/g)].map((m) => m[1])).toEqual([uv]);
    const image = readFileSync(repoPath('dbt/Dockerfile'), 'utf8');
    expect([...image.matchAll(/ghcr\.io\/astral-sh\/uv:([\d.]+)/g)].map((m) => m[1])).toEqual([uv]);
  });

  it('deploy with GitHub OIDC and no stored AWS keys', () => {
    const text = read('deploy.yml');
    const job = parse(text).jobs.deploy;
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const credentials = job.steps.find((s: { uses?: string }) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials'),
    );
    expect(credentials.with).toMatchObject({
      'role-to-assume': expect.stringContaining('vars.AWS_DEPLOY_ROLE_ARN'),
    });
    for (const file of files)
      expect(read(file)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/i);
    expect(job.steps.map((s: { run?: string }) => s.run ?? '').join('\n')).toMatch(
      /infra\/check\.sh[\s\S]*cdk deploy --all/,
    );
  });
});
