/**
 * The Snowflake adapter through the real driver (snowflake-sdk) against the stand-in (fakesnow on
 * loopback, test/support/snowflake-standin). The stand-in accepts any key-pair JWT, so what these
 * prove about login is the client side: the key read from a value or a file, decrypted with its
 * passphrase, and the signed login the driver sends.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Standin, startSnowflakeStandin } from '../../test/support/snowflake-standin/standin';
import { OperationOutcomeError } from '../fhir/operation-outcome';
import { createSnowflakeWarehouse, type SnowflakeOptions } from './snowflake-warehouse';
import type { Warehouse } from './warehouse';

const PASSPHRASE = 'correct horse battery staple';
let standin: Standin;
let dir: string;
let encryptedKey: string;
let warehouse: Warehouse;
const opened: Warehouse[] = [];
/** Pools that never logged in: the driver keeps retrying their login, so they are not waited for. */
const unreachable: Warehouse[] = [];

const options = (overrides: Partial<SnowflakeOptions> = {}): SnowflakeOptions => ({
  account: 'standin',
  accessUrl: standin.accessUrl,
  user: 'standin',
  privateKey: encryptedKey,
  privateKeyPassphrase: PASSPHRASE,
  database: 'adapter_test',
  poolMax: 2,
  statementTimeoutSeconds: 30,
  acquireTimeoutMs: 5_000,
  cacheDir: join(dir, 'cache'),
  logLevel: 'silent',
  ...overrides,
});
const open = (overrides: Partial<SnowflakeOptions> = {}) => {
  const w = createSnowflakeWarehouse(options(overrides));
  opened.push(w);
  return w;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'snowflake-adapter-'));
  encryptedKey = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
  standin = await startSnowflakeStandin();
  warehouse = open();
  await warehouse.query('create schema if not exists api');
  await warehouse.query(
    'create or replace table api.specimen_rows (id varchar, born date, seen timestamp_ntz, n number, x double, ok boolean, doc variant)',
  );
  await warehouse.query(
    `insert into api.specimen_rows select 'a', '1980-02-29'::date, '2024-05-01 10:11:12.345'::timestamp_ntz, 7, 2.5, true, parse_json('{"k":[1,"two"]}')
     union all select 'b', null, null, null, null, false, null`,
  );
});
afterAll(async () => {
  for (const w of opened.filter((w) => !unreachable.includes(w))) await w.close().catch(() => undefined);
  for (const w of unreachable) void w.close().catch(() => undefined);
  await standin?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('Snowflake warehouse (snowflake-sdk against the stand-in)', () => {
  it('logs in with an encrypted key and its passphrase, from the PEM value or a file', async () => {
    const keyFile = join(dir, 'key.p8');
    await writeFile(keyFile, encryptedKey, { mode: 0o600 });
    const fromFile = open({ privateKey: undefined, privateKeyPath: keyFile });
    expect(await warehouse.query('select 1 as one')).toEqual([{ one: 1 }]);
    expect(await fromFile.query('select 2 as two')).toEqual([{ two: 2 }]);
  });

  it('refuses an encrypted key with the wrong passphrase', async () => {
    const wrong = open({
      privateKeyPassphrase: 'not it',
      acquireTimeoutMs: 3_000,
      retry: { retries: 0, baseDelayMs: 1 },
    });
    await expect(wrong.query('select 1 as one')).rejects.toThrow();
  });

  it('returns rows as the port promises: lower-case names, DATE, ISO timestamps, numbers, booleans, VARIANT as its text', async () => {
    const rows = await warehouse.query('select * from api.specimen_rows where id in (?, ?) order by id', [
      'a',
      'b',
    ]);
    expect(rows).toEqual([
      {
        id: 'a',
        born: '1980-02-29',
        seen: '2024-05-01T10:11:12.345Z',
        n: 7,
        x: 2.5,
        ok: true,
        doc: '{"k":[1,"two"]}',
      },
      { id: 'b', born: null, seen: null, n: null, x: null, ok: false, doc: null },
    ]);
  });

  // Non-integer numbers bind as REAL, which fakesnow hands DuckDB as text: the serving SQL casts them
  // (`cast(? as double)`), as here.
  it('binds strings, numbers, booleans and nulls positionally, a long IN-list included', async () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => `id-${i}`).concat('a');
    const rows = await warehouse.query(
      `select id from api.specimen_rows where id in (${ids.map(() => '?').join(', ')}) and n > cast(? as double) and ok = ? and coalesce(?, 'x') = 'x'`,
      [...ids, 6.5, true, null],
    );
    expect(rows).toEqual([{ id: 'a' }]);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await warehouse.query('create or replace table api.tx (v number)');
    await warehouse.transaction(async (tx) => {
      await tx.query('insert into api.tx values (?)', [1]);
    });
    await expect(
      warehouse.transaction(async (tx) => {
        await tx.query('insert into api.tx values (?)', [2]);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await warehouse.query('select v from api.tx order by v')).toEqual([{ v: 1 }]);
  });

  it('keeps a plain error for a statement Snowflake refuses (the edge masks it as 500)', async () => {
    const error = await warehouse.query('select * from api.no_such_table').catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(OperationOutcomeError);
  });

  it('answers 503 with Retry-After when the warehouse cannot be reached', async () => {
    const down = open({
      accessUrl: 'http://127.0.0.1:9',
      acquireTimeoutMs: 1_000,
      retry: { retries: 1, baseDelayMs: 1 },
    });
    unreachable.push(down);
    const error = await down.query('select 1').catch((e) => e);
    expect(error).toBeInstanceOf(OperationOutcomeError);
    expect(error).toMatchObject({ status: 503, headers: { 'Retry-After': '5' } });
  });

  it('tags statements per request with a view that shares the pool', async () => {
    const tagged = warehouse.withQueryTag?.('fhir-gateway:req-42');
    expect(tagged?.dialect).toBe('snowflake');
    expect(await tagged?.query('select ? as tag', ['ok'])).toEqual([{ tag: 'ok' }]);
  });
});
