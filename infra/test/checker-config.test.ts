/**
 * The checks skipped in cfn-lint and checkov are few, named, and each carries its reason in the
 * comment right above it (the HIPAA review reads these files); `infra/check.sh` runs both tools with
 * exactly these files, over the synthesized assembly of both stages.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from '../lib/constructs/repo-paths';

const read = (path: string) => readFileSync(repoPath(path), 'utf8');

/** Each item of the YAML list under `key`, with the comment lines written directly above it. */
function listWithComments(text: string, key: string): { id: string; reason: string }[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${key}:`));
  expect(start, `${key} in the file`).toBeGreaterThanOrEqual(0);
  const items: { id: string; reason: string }[] = [];
  let comment: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next top-level key
    const c = /^\s+#\s?(.*)$/.exec(line);
    const item = /^\s+-\s+(\S+)/.exec(line);
    if (c) comment.push(c[1]!);
    else if (item) {
      items.push({ id: item[1]!, reason: comment.join(' ') });
      comment = [];
    }
  }
  return items;
}

describe('the policy checkers', () => {
  it('skip only checkov checks that are named, each with a written reason', () => {
    const text = read('infra/.checkov.yaml');
    const skipped = listWithComments(text, 'skip-check');
    expect(skipped.map((s) => s.id)).toEqual(parse(text)['skip-check']);
    expect(skipped.length).toBeGreaterThan(0);
    for (const { id, reason } of skipped) {
      expect(id).toMatch(/^CKV2?_AWS_\d+$/);
      expect(reason.length, `${id} needs its reason`).toBeGreaterThanOrEqual(60);
    }
  });

  it('ignore only cfn-lint warnings, each named with a written reason (errors always fail)', () => {
    const text = read('infra/.cfnlintrc.yaml');
    const ignored = listWithComments(text, 'ignore_checks');
    expect(ignored.map((s) => s.id)).toEqual(parse(text).ignore_checks);
    for (const { id, reason } of ignored) {
      expect(id, 'only warnings may be ignored').toMatch(/^W\d+$/);
      expect(reason.length, `${id} needs its reason`).toBeGreaterThanOrEqual(60);
    }
  });

  it('run over the synthesized templates of both stages, from the locked Python environment', () => {
    expect(parse(read('infra/.cfnlintrc.yaml')).templates).toEqual(['infra/cdk.out/*.template.json']);
    expect(parse(read('infra/.checkov.yaml'))).toMatchObject({
      directory: ['infra/cdk.out'],
      framework: ['cloudformation'],
    });
    const script = read('infra/check.sh');
    expect(script).toMatch(/for stage in dev prod/);
    expect(script).toContain('.venv/bin/cfn-lint --config-file infra/.cfnlintrc.yaml');
    expect(script).toContain('.venv/bin/checkov --config-file infra/.checkov.yaml');
    expect(read('.ci/run')).toContain('infra/check.sh');
  });
});
