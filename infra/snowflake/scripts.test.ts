/**
 * The Snowflake object scripts applied to the stand-in (fakesnow, through the Python connector it
 * patches), twice: what it runs must run both times (idempotent), and what it cannot emulate is
 * exactly the list below — each kept in the scripts for a real account, linted by SQLFluff in CI.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_TYPES } from '../../ingestion/ndjson';
import { runStandinBuild } from '../../test/support/snowflake-standin/standin-cohort';

interface Outcome {
  round: number;
  script: string;
  statement: string;
  outcome: 'ran' | 'no-op' | 'refused';
  message: string | null;
}

/** What fakesnow 0.11 does not implement, by statement kind. */
const IGNORED_BY_STANDIN: Record<string, string> = {
  'create storage integration': 'no IAM or cloud storage behind it',
  'create pipe': 'no Snowpipe (the local loader stands in for it)',
  'create role': 'no roles',
  'create warehouse': 'no virtual warehouses',
  'create user': 'no users',
  'create row access policy': 'no row access policies',
  'create masking policy': 'no masking policies',
};
const kindOf = (statement: string) => Object.keys(IGNORED_BY_STANDIN).find((k) => statement.startsWith(k));

let dir: string;
let outcomes: Outcome[];
let columns: [string, string, string][];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snowflake-scripts-'));
  const lines = (await runStandinBuild(['--db-path', dir, '--scripts']))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  outcomes = lines.filter((l) => 'round' in l);
  columns = lines.find((l) => 'columns' in l).columns;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('infra/snowflake scripts on the stand-in', () => {
  it('applies every script in order, twice', () => {
    const scripts = [...new Set(outcomes.map((o) => o.script))];
    expect(scripts).toEqual([
      '001_database.sql',
      '002_raw_tables.sql',
      '003_landing_stage.sql',
      '004_pipes.sql',
      '005_roles.sql',
      '006_row_access.sql',
      '007_masking.sql',
    ]);
    const first = outcomes.filter((o) => o.round === 1);
    const second = outcomes.filter((o) => o.round === 2);
    expect(second.map((o) => [o.statement, o.outcome])).toEqual(first.map((o) => [o.statement, o.outcome]));
  });

  it('runs the database, schemas, raw tables, file format and stage', () => {
    const ran = outcomes.filter((o) => o.round === 1 && o.outcome === 'ran').map((o) => o.statement);
    for (const prefix of [
      'create database if not exists fhir_gateway',
      'create schema if not exists fhir_gateway.api',
      'create table if not exists fhir_gateway.raw.fhir_patient',
      'create file format if not exists fhir_gateway.raw.ndjson',
      'create stage if not exists fhir_gateway.raw.landing',
    ]) {
      expect(ran.some((s) => s.startsWith(prefix))).toBe(true);
    }
  });

  it('creates the raw tables of the warehouse contract', () => {
    const patient = columns
      .filter(([t]) => t === 'FHIR_PATIENT')
      .map(([, c, type]) => [c.toLowerCase(), type]);
    expect(patient).toEqual([
      ['organization_id', 'TEXT'],
      ['resource_type', 'TEXT'],
      ['resource_id', 'TEXT'],
      ['raw', 'VARIANT'],
      ['source_file', 'TEXT'],
      ['source_row', 'NUMBER'],
      ['loaded_at', 'TIMESTAMP_NTZ'],
    ]);
    expect(new Set(columns.map(([t]) => t))).toEqual(
      new Set(SUPPORTED_TYPES.map((type) => `FHIR_${type.toUpperCase()}`)),
    );
  });

  it('answers grants as no-ops (no roles to grant to)', () => {
    const grants = outcomes.filter((o) => o.statement.startsWith('grant '));
    expect(grants.length).toBeGreaterThan(20);
    expect(new Set(grants.map((o) => o.outcome))).toEqual(new Set(['no-op']));
  });

  it('refuses exactly the objects it does not emulate, and nothing else', () => {
    const refused = outcomes.filter((o) => o.outcome === 'refused');
    expect(refused.filter((o) => !kindOf(o.statement))).toEqual([]);
    expect(new Set(refused.map((o) => kindOf(o.statement)))).toEqual(
      new Set(Object.keys(IGNORED_BY_STANDIN)),
    );
  });
});
