import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendRows } from './append-rows';
import { createDuckDbWarehouse } from './duckdb-warehouse';
import { observeWarehouse, type SqlValue, type Warehouse } from './warehouse';

let warehouse: Warehouse;
beforeEach(async () => {
  warehouse = await createDuckDbWarehouse({ path: ':memory:' });
  await warehouse.execute(`create schema s;
    create table s.t (name varchar, doc json, n integer, big bigint, x double, flag boolean, ts timestamp)`);
});
afterEach(() => warehouse.close());

async function* rows(n: number, failAt = -1): AsyncGenerator<readonly SqlValue[]> {
  for (let i = 0; i < n; i++) {
    if (i === failAt) throw new Error('source failed');
    yield [`r${i}`, JSON.stringify({ i }), i, i * 1000, i / 2, i % 2 === 0, '2024-02-03T04:05:06.789Z'];
  }
  yield [null, null, null, null, null, null, null];
}

const expected = (n: number) => [
  ...Array.from({ length: n }, (_, i) => ({
    name: `r${i}`,
    doc: JSON.stringify({ i }),
    n: i,
    big: i * 1000,
    x: i / 2,
    flag: i % 2 === 0,
    ts: '2024-02-03T04:05:06.789Z',
  })),
  { name: null, doc: null, n: null, big: null, x: null, flag: null, ts: null },
];
const all = () => warehouse.query('select * from s.t order by n nulls last');

describe('appendRows', () => {
  it("streams typed rows through DuckDB's appender", async () => {
    expect(await appendRows(warehouse, 's.t', 7, rows(3))).toBe(4);
    expect(await all()).toEqual(expected(3));
  });

  it('falls back to batched INSERTs with the same result when the adapter has no appender', async () => {
    const { append: _, ...plain } = warehouse;
    const statements: string[] = [];
    const observed = observeWarehouse(plain, (sql) => statements.push(sql));
    expect(await appendRows(observed, 's.t', 7, rows(5), { batchRows: 2 })).toBe(6);
    expect(await all()).toEqual(expected(5));
    expect(statements).toHaveLength(3);
  });

  it('belongs to the surrounding transaction: a rollback removes appended rows', async () => {
    const failing = warehouse.transaction(async (tx) => {
      await appendRows(tx, 's.t', 7, rows(5000));
      expect(await tx.query('select count(*) as c from s.t')).toEqual([{ c: 5001 }]);
      throw new Error('later step failed');
    });
    await expect(failing).rejects.toThrow('later step failed');
    expect(await all()).toEqual([]);
  });

  it('discards the rows it was given when its source fails', async () => {
    await expect(appendRows(warehouse, 's.t', 7, rows(5000, 4500))).rejects.toThrow('source failed');
    expect(await all()).toEqual([]);
  });

  it('refuses a row of the wrong width', async () => {
    async function* short() {
      yield ['only one'];
    }
    await expect(appendRows(warehouse, 's.t', 7, short())).rejects.toThrow('s.t takes 7 values, got 1');
  });

  it('is reported by observeWarehouse', async () => {
    const seen: string[] = [];
    await appendRows(
      observeWarehouse(warehouse, (sql) => seen.push(sql)),
      's.t',
      7,
      rows(1),
    );
    expect(seen).toEqual(['APPEND s.t']);
  });
});
