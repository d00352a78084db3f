import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createShopProject, type ShopProject, statuses } from './fixtures/shop-project';

let shop: ShopProject;
beforeEach(async () => {
  shop = await createShopProject();
});
afterEach(async () => {
  await shop.close();
});

const relationKinds = async () =>
  Object.fromEntries(
    (
      await shop.warehouse.query<{ name: string; table_type: string }>(
        `select table_schema || '.' || table_name as name, table_type from information_schema.tables
         where table_schema not in ('raw') order by 1`,
      )
    ).map((r) => [r.name, r.table_type]),
  );

describe('runTransform build on the shop project', () => {
  it('builds seeds, models and tests in DAG order and reports each like dbt', async () => {
    const result = await shop.run('build');

    expect(result.ok).toBe(true);
    expect(statuses(result)).toEqual({
      'seed.shop.countries': 'success',
      'model.shop.stg_customers': 'success',
      'model.shop.stg_orders': 'success',
      'model.shop.dim_customers': 'success',
      'model.shop.fct_orders': 'success',
      'model.shop.order_summary': 'success',
      'test.shop.not_null_source_raw_customers_id': 'pass',
      'test.shop.not_null_dim_customers_customer_id': 'pass',
      'test.shop.unique_dim_customers_customer_id': 'pass',
      'test.shop.accepted_values_dim_customers_country_name__United_States__France': 'pass',
      'test.shop.unique_fct_orders_order_id': 'pass',
      'test.shop.relationships_fct_orders_customer_id__ref_dim_customers___customer_id': 'pass',
      'test.shop.accepted_values_fct_orders_status__placed__shipped': 'warn',
      'test.shop.assert_no_negative_amounts': 'pass',
    });
    const order = result.results.map((r) => r.node);
    const runsBefore = (a: string, b: string) => expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
    runsBefore('seed.shop.countries', 'model.shop.dim_customers');
    runsBefore('model.shop.stg_customers', 'model.shop.dim_customers');
    runsBefore('model.shop.dim_customers', 'model.shop.fct_orders');
    runsBefore('test.shop.unique_dim_customers_customer_id', 'model.shop.fct_orders');
    runsBefore('test.shop.unique_fct_orders_order_id', 'model.shop.order_summary');
    runsBefore('model.shop.fct_orders', 'model.shop.order_summary');

    expect(shop.lines).toContainEqual(
      expect.stringMatching(/ 1 of 14 START seed file reference\.countries \.+ \[RUN\]$/),
    );
    expect(shop.lines).toContainEqual(
      expect.stringMatching(/ OK created sql table model marts\.customers \.+ \[OK in \d+\.\d\ds\]$/),
    );
    expect(shop.lines).toContainEqual(
      expect.stringMatching(/ WARN 1 accepted_values_fct_orders_status__placed__shipped \.+ \[WARN 1 in /),
    );
    expect(shop.lines.at(-1)).toBe('Done. PASS=13 WARN=1 ERROR=0 SKIP=0 TOTAL=14');
    const runResults = JSON.parse(readFileSync(join(shop.dir, 'target/run_results.json'), 'utf8'));
    expect(runResults.metadata.invocation_id).toBe(result.invocationId);
  });

  it('renders ref, source, var, env_var, target, this, invocation_id, dispatch and return', async () => {
    const result = await shop.run('build');

    const customers = await shop.warehouse.query('select * from marts.customers order by customer_id');
    const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(customers).toEqual([
      {
        customer_id: 1,
        name: 'Ada',
        country_name: 'United States',
        name_hash: sha256('Ada'),
        built_for: 'duckdb',
        relation_name: 'marts.customers',
        invocation_id: result.invocationId,
        region: 'us',
      },
      {
        customer_id: 2,
        name: 'Bo',
        country_name: 'France',
        name_hash: sha256('Bo'),
        built_for: 'duckdb',
        relation_name: 'marts.customers',
        invocation_id: result.invocationId,
        region: 'us',
      },
    ]);
    expect(await shop.warehouse.query('select * from marts.order_summary order by customer_id')).toEqual([
      { customer_id: 1, placed_orders: 1, shipped_orders: 0 },
      { customer_id: 2, placed_orders: 0, shipped_orders: 1 },
    ]);
    shop.edit('dbt_project.yml', (t) => t.replace('min_amount: 0', 'min_amount: 2'));
    await shop.run('build');
    expect(await shop.warehouse.query('select order_id from marts.fct_orders order by 1')).toEqual([
      { order_id: 10 },
      { order_id: 11 },
    ]);
  });

  it('materializes views and tables in the schemas the project macro names verbatim', async () => {
    await shop.run('build');

    expect(await relationKinds()).toEqual({
      'marts.customers': 'BASE TABLE',
      'marts.fct_orders': 'BASE TABLE',
      'marts.order_summary': 'VIEW',
      'reference.countries': 'BASE TABLE',
      'staging.stg_customers': 'VIEW',
      'staging.stg_orders': 'VIEW',
    });
    expect(
      await shop.warehouse.query(
        `select column_name, data_type from information_schema.columns
         where table_schema = 'reference' and table_name = 'countries' order by ordinal_position`,
      ),
    ).toEqual([
      { column_name: 'code', data_type: 'VARCHAR' },
      { column_name: 'country_name', data_type: 'VARCHAR' },
    ]);
  });

  it("uses dbt's default schema naming (<target schema>_<custom>) without the project's override", async () => {
    shop.remove('macros/generate_schema_name.sql');

    expect((await shop.run('build')).ok).toBe(true);
    expect(await relationKinds()).toEqual({
      'main_marts.customers': 'BASE TABLE',
      'main_marts.fct_orders': 'BASE TABLE',
      'main_marts.order_summary': 'VIEW',
      'main_reference.countries': 'BASE TABLE',
      'main_staging.stg_customers': 'VIEW',
      'main_staging.stg_orders': 'VIEW',
    });
  });

  it('is idempotent: a rebuild succeeds with the same relations and rows', async () => {
    await shop.run('build');
    const first = await shop.warehouse.query(
      'select * exclude (invocation_id) from marts.customers order by 1',
    );
    const again = await shop.run('build');

    expect(again.ok).toBe(true);
    expect(
      await shop.warehouse.query('select * exclude (invocation_id) from marts.customers order by 1'),
    ).toEqual(first);
    expect(await shop.warehouse.query('select count(*) as n from marts.fct_orders')).toEqual([{ n: 3 }]);
  });

  it('replaces a view with a table when the materialization changes', async () => {
    await shop.run('build');
    shop.edit('models/marts/order_summary.sql', (t) =>
      t.replace("materialized='view'", "materialized='table'"),
    );

    expect((await shop.run('run')).ok).toBe(true);
    expect((await relationKinds())['marts.order_summary']).toBe('BASE TABLE');
  });
});

describe('runTransform selection and commands', () => {
  it('runs only a model and its descendants with --select model+', async () => {
    await shop.run('build');
    const result = await shop.run('run', { select: ['stg_orders+'] });

    expect(statuses(result)).toEqual({
      'model.shop.stg_orders': 'success',
      'model.shop.fct_orders': 'success',
      'model.shop.order_summary': 'success',
    });
  });

  it('runs a model and its ancestors with +model, and tests alone with test', async () => {
    const run = await shop.run('run', { select: ['+dim_customers'] });
    expect(statuses(run)).toEqual({
      'model.shop.stg_customers': 'success',
      'model.shop.dim_customers': 'error',
    });
    expect(run.results[1]!.message).toMatch(/countries/);

    await shop.run('seed');
    await shop.run('run');
    const tests = await shop.run('test', { select: ['tag:core'] });
    expect(statuses(tests)).toEqual({
      'test.shop.not_null_dim_customers_customer_id': 'pass',
      'test.shop.unique_dim_customers_customer_id': 'pass',
      'test.shop.accepted_values_dim_customers_country_name__United_States__France': 'pass',
      'test.shop.relationships_fct_orders_customer_id__ref_dim_customers___customer_id': 'pass',
    });
  });

  it('selects by path', async () => {
    const result = await shop.run('run', { select: ['path:models/staging'] });
    expect(statuses(result)).toEqual({
      'model.shop.stg_customers': 'success',
      'model.shop.stg_orders': 'success',
    });
  });

  it('compiles for snowflake without a connection, rendering the snowflake__ macro variant', async () => {
    const result = await shop.run('compile', { target: 'snowflake', warehouse: undefined });

    expect(result.ok).toBe(true);
    const compiled = join(shop.dir, 'target/compiled/shop');
    const dim = readFileSync(join(compiled, 'models/marts/dim_customers.sql'), 'utf8');
    expect(dim).toContain('sha2(c.name, 256) as name_hash');
    expect(dim).toContain("'snowflake' as built_for");
    expect(dim).toContain('from analytics.staging.stg_customers as c');
    expect(dim).toContain("'analytics.marts.customers' as relation_name");
    const relationships = readFileSync(
      join(
        compiled,
        'models/marts/_marts.yml/relationships_fct_orders_customer_id__ref_dim_customers___customer_id.sql',
      ),
      'utf8',
    );
    expect(relationships).toContain('from analytics.marts.customers');
    expect(existsSync(join(compiled, 'tests/assert_no_negative_amounts.sql'))).toBe(true);
    expect(await relationKinds()).toEqual({});
  });
});
