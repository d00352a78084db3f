import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createShopProject, type ShopProject, statuses } from './fixtures/shop-project';

let shop: ShopProject;
beforeEach(async () => {
  shop = await createShopProject();
});
afterEach(async () => {
  await shop.close();
});

const resultOf = (result: Awaited<ReturnType<ShopProject['run']>>, node: string) =>
  result.results.find((r) => r.node === node);

describe('contracts', () => {
  it('passes when names match in any order and types match up to synonyms', async () => {
    shop.edit('models/marts/fct_orders.sql', (t) =>
      t.replace('o.order_id,\n    o.customer_id,', 'o.customer_id,\n    o.order_id,'),
    );
    const result = await shop.run('build', { select: ['+fct_orders'] });

    expect(resultOf(result, 'model.shop.fct_orders')).toMatchObject({ status: 'success' });
    expect(
      await shop.warehouse.query(
        `select column_name, data_type from information_schema.columns
         where table_name = 'fct_orders' order by ordinal_position`,
      ),
    ).toEqual([
      { column_name: 'order_id', data_type: 'INTEGER' },
      { column_name: 'customer_id', data_type: 'INTEGER' },
      { column_name: 'amount', data_type: 'DOUBLE' },
      { column_name: 'status', data_type: 'VARCHAR' },
    ]);
  });

  it.each([
    ['a missing column', 'o.status', '', 'model fct_orders: column status is missing (expected text)'],
    [
      'an extra column',
      'o.status',
      'o.status,\n    1 as extra',
      'model fct_orders: column extra (INTEGER) is not in the contract',
    ],
    [
      'a wrong type',
      'o.amount,',
      'cast(o.amount as varchar) as amount,',
      'model fct_orders: column amount has the wrong data type (expected double, actual VARCHAR)',
    ],
  ])('fails the model on %s, naming model, column, expected and actual', async (_, from, to, message) => {
    shop.edit('models/marts/fct_orders.sql', (t) => t.replace(from, to).replace(/,\n\s*\nfrom/, '\nfrom'));
    const result = await shop.run('build');

    expect(result.ok).toBe(false);
    expect(resultOf(result, 'model.shop.fct_orders')).toMatchObject({ status: 'error' });
    expect(resultOf(result, 'model.shop.fct_orders')!.message).toContain(message);
    expect(resultOf(result, 'model.shop.order_summary')).toMatchObject({ status: 'skipped' });
    expect(shop.lines.join('\n')).toContain(message);
  });

  it('honours a not_null constraint', async () => {
    await shop.warehouse.execute(`insert into raw.order_lines values (null, 1, 3.0, 'placed')`);
    const result = await shop.run('build');

    expect(resultOf(result, 'model.shop.fct_orders')).toMatchObject({ status: 'error' });
    expect(resultOf(result, 'model.shop.fct_orders')!.message).toMatch(/NOT NULL constraint failed/i);
  });
});

describe('data tests', () => {
  it.each([
    [
      'not_null',
      `insert into raw.customers values (null, 'Cy', '840')`,
      'test.shop.not_null_source_raw_customers_id',
    ],
    [
      'unique',
      `insert into raw.customers values (2, 'Bo again', '250')`,
      'test.shop.unique_dim_customers_customer_id',
    ],
    [
      'accepted_values',
      `insert into raw.customers values (3, 'Di', '999')`,
      // a null country would pass (as in dbt): the seed gains a country outside the accepted list
      'test.shop.accepted_values_dim_customers_country_name__United_States__France',
    ],
    [
      'relationships',
      'update raw.customers set id = 3 where id = 2',
      'test.shop.relationships_fct_orders_customer_id__ref_dim_customers___customer_id',
    ],
  ])('fails the %s test with the number of failing rows', async (_, sql, test) => {
    if (test.includes('accepted_values')) shop.edit('seeds/countries.csv', (t) => `${t}999,Atlantis\n`);
    if (test.includes('relationships')) {
      shop.edit('models/marts/fct_orders.sql', (t) => t.replace('inner join', 'left join'));
    }
    await shop.warehouse.execute(sql);
    const result = await shop.run('build');

    expect(result.ok).toBe(false);
    expect(resultOf(result, test)).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/^Got 1 result/),
    });
    expect(shop.lines).toContainEqual(expect.stringMatching(/ FAIL 1 .* \[FAIL 1 in /));
    expect(shop.lines.at(-1)).toMatch(/ERROR=1 /);
  });

  it('fails a singular test that returns rows, and a failing test skips the descendants', async () => {
    await shop.warehouse.execute(`insert into raw.order_lines values (13, 2, -4.0, 'placed')`);
    shop.edit('dbt_project.yml', (t) => t.replace('min_amount: 0', 'min_amount: -10'));
    shop.write(
      'tests/assert_no_negative_amounts.sql',
      "select order_id, amount\nfrom {{ ref('fct_orders') }}\nwhere amount < 0\n",
    );
    const result = await shop.run('build');

    expect(resultOf(result, 'test.shop.assert_no_negative_amounts')).toMatchObject({ status: 'fail' });
    expect(resultOf(result, 'model.shop.order_summary')).toMatchObject({ status: 'skipped' });
    expect(resultOf(result, 'model.shop.dim_customers')).toMatchObject({ status: 'success' });
  });

  it('reports a warn-severity test as WARN without failing the run', async () => {
    const result = await shop.run('test', { select: ['fct_orders'] });
    expect(resultOf(result, 'test.shop.accepted_values_fct_orders_status__placed__shipped')).toMatchObject({
      status: 'error',
    });

    await shop.run('build');
    const tests = await shop.run('test', { select: ['fct_orders'] });
    expect(tests.ok).toBe(true);
    expect(resultOf(tests, 'test.shop.accepted_values_fct_orders_status__placed__shipped')).toMatchObject({
      status: 'warn',
    });
  });
});

describe('errors', () => {
  it('a failing model skips its descendants and the run exits with an error', async () => {
    shop.edit('models/staging/stg_orders.sql', (t) => t.replace('status', 'no_such_column'));
    const result = await shop.run('build');

    expect(result.ok).toBe(false);
    expect(statuses(result)).toMatchObject({
      'model.shop.stg_orders': 'error',
      'model.shop.fct_orders': 'skipped',
      'model.shop.order_summary': 'skipped',
      'test.shop.unique_fct_orders_order_id': 'skipped',
      'model.shop.dim_customers': 'success',
    });
    expect(resultOf(result, 'model.shop.stg_orders')!.message).toContain('no_such_column');
    expect(shop.lines.at(-1)).toBe('Done. PASS=7 WARN=0 ERROR=1 SKIP=6 TOTAL=14');
  });

  it.each([
    [
      'an unknown tag',
      '\n\n{% materialization x %}',
      'models/staging/stg_orders.sql:3',
      'unknown block tag: materialization',
    ],
    ['an unknown function', "\n{{ run_query('select 1') }}", 'models/staging/stg_orders.sql:2', 'run_query'],
    [
      'a failing macro call',
      "\n\n\n{{ exceptions.raise_compiler_error('nope') }}",
      'models/staging/stg_orders.sql:4',
      'nope',
    ],
  ])('names the file and line of %s', async (_, construct, where, detail) => {
    shop.edit(
      'models/staging/stg_orders.sql',
      (t) => `select 1 as x${construct}\n${t.slice(t.indexOf('\n'))}`,
    );
    const result = await shop.run('build');

    expect(result.ok).toBe(false);
    expect(result.results).toEqual([
      { node: 'project', status: 'error', seconds: 0, message: expect.stringContaining(where) },
    ]);
    expect(result.results[0]!.message).toContain(detail);
  });

  it('refuses a cycle, naming it', async () => {
    shop.edit('models/staging/stg_customers.sql', (t) => `-- {{ ref('dim_customers') }}\n${t}`);
    const result = await shop.run('build');

    expect(result.ok).toBe(false);
    expect(result.results[0]!.message).toBe(
      'Found a cycle in the DAG: model.shop.dim_customers --> model.shop.stg_customers --> model.shop.dim_customers',
    );
  });

  it('refuses a ref to a model that does not exist', async () => {
    shop.edit('models/marts/fct_orders.sql', (t) => t.replace("ref('stg_orders')", "ref('stg_nothing')"));
    const result = await shop.run('run');

    expect(result.results[0]!.message).toBe(
      "models/marts/fct_orders.sql: 'fct_orders' depends on a node named 'stg_nothing' which was not found",
    );
  });
});
