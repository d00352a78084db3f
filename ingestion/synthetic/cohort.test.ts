import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLocalObjectStore } from '../../src/object-store';
import { parseLandingKey } from '../landing/landing-keys';
import { type CohortOptions, cohortBatchId, generateCohort, generatePatientRecord } from '.';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Generates into a fresh temp dir; returns every file as key → text. */
async function generateInto(options: CohortOptions) {
  const root = await mkdtemp(join(tmpdir(), 'synthetic-cohort-'));
  dirs.push(root);
  const progress: [number, number][] = [];
  const summary = await generateCohort(createLocalObjectStore({ root }), options, {
    onPatient: (done, bytes) => progress.push([done, bytes]),
  });
  const files = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await walk(path);
      else files.set(relative(root, path).split(sep).join('/'), await readFile(path, 'utf8'));
    }
  };
  await walk(root);
  return { summary, files, progress };
}

const base: CohortOptions = { patients: 60, orgs: 3, seed: 11, maxPartBytes: 64 * 1024 };

describe('generateCohort', () => {
  it('writes byte-identical files under the same keys for the same options', async () => {
    const a = await generateInto(base);
    const b = await generateInto(base);
    expect([...a.files.keys()].sort()).toEqual([...b.files.keys()].sort());
    for (const [key, text] of a.files) expect(b.files.get(key), key).toBe(text);
    expect(a.summary).toEqual(b.summary);
  });

  it('lands every resource under its organization and type, rolling parts at the size limit', async () => {
    const { summary, files, progress } = await generateInto(base);
    expect(summary.organizations).toEqual(['org-1', 'org-2', 'org-3']);
    expect(summary.patients).toBe(60);
    expect(summary.batchId).toBe(cohortBatchId(base));
    expect(summary.files.map((f) => f.key)).toEqual([...files.keys()].sort());
    expect(progress.map(([done]) => done)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(progress.at(-1)![1]).toBe(summary.bytes);

    const perType = new Map<string, number>();
    let parts = 0;
    for (const [key, text] of files) {
      const k = parseLandingKey(key)!;
      expect(k).toMatchObject({ batchId: summary.batchId });
      parts = Math.max(parts, k.part);
      const lines = text.trimEnd().split('\n');
      perType.set(k.type, (perType.get(k.type) ?? 0) + lines.length);
      for (const line of lines) {
        const r = JSON.parse(line);
        expect(r.resourceType).toBe(k.type);
        const org =
          r.resourceType === 'Organization'
            ? r.id
            : r.resourceType === 'Patient'
              ? r.managingOrganization.reference.split('/')[1]
              : undefined;
        if (org) expect(org).toBe(k.org);
        if (r.resourceType === 'Encounter') expect(r.serviceProvider.reference).toBe(`Organization/${k.org}`);
      }
    }
    expect(parts).toBeGreaterThan(0);
    expect(perType.get('Organization')).toBe(3);
    expect(perType.get('Patient')).toBe(60);
    for (const type of ['Encounter', 'Observation', 'Condition'])
      expect(perType.get(type)).toBeGreaterThan(60);
    expect([...perType.values()].reduce((s, n) => s + n, 0)).toBe(summary.lines);
  });

  it('writes different data under a different batch id for a different seed', async () => {
    const a = await generateInto(base);
    const b = await generateInto({ ...base, seed: 12 });
    expect(b.summary.batchId).not.toBe(a.summary.batchId);
    const keysA = new Set(a.files.keys());
    expect([...b.files.keys()].filter((k) => keysA.has(k))).toEqual([]);
    const patientsA = [...a.files].filter(([k]) => k.includes('type=Patient')).map(([, t]) => t);
    const patientsB = [...b.files].filter(([k]) => k.includes('type=Patient')).map(([, t]) => t);
    expect(patientsB.join('')).not.toBe(patientsA.join(''));
  });

  it('derives the batch id from every option that changes the data', () => {
    const identity = JSON.stringify({ seed: 11, patients: 60, orgs: 3, enrich: false, asOf: '2026-01-01' });
    const expected = `synthetic-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
    const options = { patients: 60, orgs: 3, seed: 11 };
    expect(cohortBatchId(options)).toBe(expected);
    const variants = [
      { ...options, patients: 61 },
      { ...options, orgs: 4 },
      { ...options, seed: 12 },
      { ...options, enrich: true },
      { ...options, asOf: '2025-06-30' },
      { ...options, maxPartBytes: 1024 },
    ].map(cohortBatchId);
    expect(new Set([expected, ...variants]).size).toBe(7);
  });

  it('produces each patient exactly as generatePatientRecord does alone, so shards can run in parallel', async () => {
    const { files } = await generateInto(base);
    const landed = new Map<string, string[]>();
    for (const [key, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const line of text.trimEnd().split('\n')) {
        const r = JSON.parse(line);
        const owner = r.resourceType === 'Patient' ? r.id : r.subject?.reference?.slice('Patient/'.length);
        if (!owner) continue;
        const list = landed.get(owner) ?? [];
        list.push(line);
        landed.set(owner, list);
      }
      expect(key).toMatch(/part-\d{5}\.ndjson$/);
    }
    for (const index of [0, 1, 29, 59]) {
      const { org, resources } = generatePatientRecord(base, index);
      expect(org).toBe(`org-${(index % 3) + 1}`);
      const alone = resources.map((r) => JSON.stringify(r)).sort();
      expect([...(landed.get(resources[0]!.id!) ?? [])].sort()).toEqual(alone);
    }
  });

  it('refuses options that are not whole numbers ≥ 1 or not a date', async () => {
    const store = createLocalObjectStore({ root: join(tmpdir(), 'never-written') });
    await expect(generateCohort(store, { ...base, patients: 0 })).rejects.toThrow(
      '--patients must be an integer ≥ 1',
    );
    await expect(generateCohort(store, { ...base, orgs: 1.5 })).rejects.toThrow(
      '--orgs must be an integer ≥ 1',
    );
    await expect(generateCohort(store, { ...base, seed: -1 })).rejects.toThrow(
      '--seed must be an integer ≥ 0',
    );
    await expect(generateCohort(store, { ...base, asOf: '2026-02-30' })).rejects.toThrow('--as-of');
  });
});
