#!/usr/bin/env node
// Installs the project's locked Python tools (pyproject.toml + uv.lock: dbt Core and its adapters,
// SQLFluff, fakesnow, cfn-lint, checkov) into .venv/. Runs as npm's postinstall, so `npm install`
// sets up Node and Python alike; a no-op when .venv already holds exactly this lock.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const UV_VERSION = '0.13.8';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const venv = join(root, '.venv');
const stamp = join(venv, '.uv-lock.sha256');
const lockHash = createHash('sha256')
  .update(readFileSync(join(root, 'uv.lock')))
  .digest('hex');

if (process.env.FHIR_GATEWAY_SKIP_PYTHON === '1') process.exit(0);
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash) process.exit(0);

const fail = (message) => {
  console.error(`fhir-gateway: ${message}`);
  process.exit(1);
};
const run = (command, args) => {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) fail(`${command} could not run (${result.error.code ?? result.error.message})`);
  if (result.status !== 0) fail(`\`${[command, ...args].join(' ')}\` exited with ${result.status}`);
};

const python = process.env.PYTHON ?? 'python3';
const version = spawnSync(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
  encoding: 'utf8',
});
if (version.status !== 0)
  fail(`Python ≥ 3.10 is required (no \`${python}\` on PATH; set PYTHON to its path)`);
const [major, minor] = version.stdout.trim().split('.').map(Number);
if (major < 3 || (major === 3 && minor < 10))
  fail(`Python ≥ 3.10 is required (\`${python}\` is ${version.stdout.trim()})`);

console.error(
  'fhir-gateway: installing the locked Python tools into .venv/ (dbt Core, SQLFluff, fakesnow, cfn-lint, checkov)',
);
if (!existsSync(join(venv, 'bin', 'python'))) run(python, ['-m', 'venv', venv]);
run(join(venv, 'bin', 'python'), [
  '-m',
  'pip',
  'install',
  '--quiet',
  '--disable-pip-version-check',
  `uv==${UV_VERSION}`,
]);
// --inexact keeps pip and uv themselves, which the lock does not list.
run(join(venv, 'bin', 'uv'), ['sync', '--frozen', '--inexact', '--quiet']);
writeFileSync(stamp, lockHash);
