/**
 * dbt-snowflake puts the governance policies of infra/snowflake on what it builds, so no rebuild
 * ever leaves them off: the api marts carry the organization row access policy of
 * 006_row_access.sql from the statement that creates them, and the vault's direct identifiers get
 * the masking policies of 007_masking.sql right after each build (a post-hook). dbt-snowflake
 * itself (in-process, against the stand-in) builds the staging models and the two api marts
 * fakesnow can build; the statements it ran (the run's SQL files, and dbt's log for the hooks,
 * which the stand-in answers as no-ops: fakesnow has no policies) and the manifest of the same run
 * are read back.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runStandinBuild,
  STANDIN_DATABASE,
  throwawayKey,
} from '../../test/support/snowflake-standin/standin-cohort';

const SCRIPT = resolve(import.meta.dirname, '006_row_access.sql');
const MASKING_SCRIPT = resolve(import.meta.dirname, '007_masking.sql');

interface ManifestModel {
  resource_type: string;
  name: string;
  original_file_path: string;
  columns: Record<string, { config?: { meta?: { masking_policy?: string } } }>;
  config: { row_access_policy?: string | null; materialized: string };
}

/** The policy 006 creates, by its qualified name (its `use schema` and the policy's own name). */
function policyOf(script: string): string {
  const schema = /^use schema ([\w.]+);/m.exec(script)?.[1];
  const name = /^create row access policy if not exists (\w+)/m.exec(script)?.[1];
  if (!schema || !name) throw new Error('006_row_access.sql creates no row access policy');
  return `${schema}.${name}`;
}

let dir: string;
let policy: string;
let apiMarts: ManifestModel[];
let stagingModels: ManifestModel[];
let dbtLog: string;
const ranSql = (model: string) =>
  readFile(join(dir, 'target/run/fhir_gateway/models/marts/api', `${model}.sql`), 'utf8');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'row-access-'));
  policy = policyOf(await readFile(SCRIPT, 'utf8'));
  const key = join(dir, 'key.pem');
  await writeFile(key, throwawayKey());
  await runStandinBuild(
    [
      '--db-path',
      join(dir, 'db'),
      '--empty-raw',
      '--',
      'run',
      '--select',
      'path:models/staging',
      'build_info',
      'fct_deleted_api',
      '--target-path',
      join(dir, 'target'),
      '--log-path',
      join(dir, 'logs'),
    ],
    {
      SNOWFLAKE_ACCOUNT: 'standin',
      SNOWFLAKE_USER: 'standin',
      SNOWFLAKE_PRIVATE_KEY_PATH: key,
      SNOWFLAKE_ROLE: 'FHIR_TRANSFORMER',
      SNOWFLAKE_WAREHOUSE: 'standin',
      SNOWFLAKE_DATABASE: STANDIN_DATABASE,
      FHIR_TOKEN_SALT: 'row-access-test-salt-0123456789',
      DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    },
  );
  const manifest = JSON.parse(await readFile(join(dir, 'target/manifest.json'), 'utf8'));
  const models = (Object.values(manifest.nodes) as ManifestModel[]).filter(
    (n) => n.resource_type === 'model',
  );
  apiMarts = models.filter((n) => n.original_file_path.startsWith('models/marts/api/'));
  stagingModels = models.filter((n) => n.original_file_path.startsWith('models/staging/'));
  dbtLog = await readFile(join(dir, 'logs/dbt.log'), 'utf8');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the organization row access policy on the Snowflake api marts', () => {
  it('is configured on every api mart that holds organizations, and only on those', () => {
    const withOrganization = apiMarts.filter((m) => 'organization_id' in m.columns);
    expect(withOrganization.map((m) => m.name).sort()).toEqual([
      'dim_patient_api',
      'fct_condition_api',
      'fct_deleted_api',
      'fct_encounter_api',
      'fct_medication_request_api',
      'fct_observation_api',
    ]);
    for (const mart of withOrganization) {
      expect([mart.name, mart.config.row_access_policy]).toEqual([
        mart.name,
        `${policy} on (organization_id)`,
      ]);
    }
    const others = apiMarts.filter((m) => !('organization_id' in m.columns));
    expect(others.map((m) => [m.name, m.config.row_access_policy ?? null])).toEqual([['build_info', null]]);
  });

  it('is part of the statement that creates the mart, not a step after it', async () => {
    const sql = (await ranSql('fct_deleted_api')).replace(/\s+/g, ' ');
    const create = new RegExp(
      `create or replace (transient )?table ${STANDIN_DATABASE}\\.api\\.fct_deleted_api .*?` +
        `with row access policy ${policy.replaceAll('.', '\\.')} on \\(organization_id\\) as \\(`,
      'i',
    );
    expect(sql).toMatch(create);
    expect(sql.match(/row access policy/gi)).toHaveLength(1);
  });

  it('is left off build_info, which has no organization column', async () => {
    const sql = await ranSql('build_info');
    expect(sql).toMatch(/create or replace (transient )?table \S+\.api\.build_info/i);
    expect(sql).not.toMatch(/row access policy/i);
  });
});

/** The masking policies 007 creates, by their qualified names. */
const maskingPoliciesOf = (script: string) =>
  [...script.matchAll(/^create masking policy if not exists ([\w.]+)/gm)].map((m) => m[1]!);

/**
 * The `alter … set masking policy` statements dbt ran, per object: its kind and `column → policy`.
 * One statement masks one column (Snowflake's ALTER VIEW takes only one): a statement naming a
 * second column does not match, so its columns would show up missing.
 */
function masksRun(log: string) {
  const runs = new Map<string, { kind: string; columns: Record<string, string> }>();
  const statement =
    /alter (table|view) (\S+) modify column (\w+) set masking policy ([\w.]+) force\s*(?:;|\n|$)/gi;
  for (const [, kind, object, column, policy] of log.matchAll(statement)) {
    const name = object!.split('.').pop()!.toLowerCase();
    const run = runs.get(name) ?? { kind: kind!.toLowerCase(), columns: {} };
    run.columns[column!] = policy!;
    runs.set(name, run);
  }
  return runs;
}

describe('the masking policies on the Snowflake vault', () => {
  it("are set by dbt on every column whose meta names one of 007's policies, right after it builds the model", async () => {
    const policies = maskingPoliciesOf(await readFile(MASKING_SCRIPT, 'utf8'));
    expect(policies.length).toBeGreaterThan(0);
    const configured = stagingModels
      .map((m) => ({
        name: m.name,
        kind: m.config.materialized === 'view' ? 'view' : 'table',
        columns: Object.fromEntries(
          Object.entries(m.columns)
            .filter(([, c]) => c.config?.meta?.masking_policy)
            .map(([name, c]) => [name, `fhir_gateway.governance.${c.config!.meta!.masking_policy}`]),
        ),
      }))
      .filter((m) => Object.keys(m.columns).length > 0);
    // The vault's direct identifiers: names, birth date, identifier values and the raw Patient.
    expect(configured.map((m) => m.name).sort()).toEqual([
      'stg_vault__patient',
      'stg_vault__patient_identifier',
    ]);
    expect(Object.keys(configured.find((m) => m.name === 'stg_vault__patient')!.columns)).toEqual(
      expect.arrayContaining(['family', 'given', 'birth_date', 'resource']),
    );
    const ran = masksRun(dbtLog);
    for (const model of configured) {
      expect([model.name, ran.get(model.name)]).toEqual([
        model.name,
        { kind: model.kind, columns: model.columns },
      ]);
      for (const policy of Object.values(model.columns)) expect(policies).toContain(policy);
    }
    // A view is masked with `alter view`, a table with `alter table`: both kinds occur.
    expect(new Set(configured.map((m) => m.kind))).toEqual(new Set(['table', 'view']));
  });

  it('are set on nothing else', () => {
    expect([...masksRun(dbtLog).keys()].sort()).toEqual([
      'stg_vault__patient',
      'stg_vault__patient_identifier',
    ]);
  });
});
