/**
 * The api marts carry the organization row access policy of 006_row_access.sql from the moment
 * dbt-snowflake creates them: dbt-snowflake itself (in-process, against the stand-in) builds
 * the two api marts fakesnow can build, and the statement it ran for each, as well as every api
 * mart's config in the manifest of the same run, is read back.
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

interface ManifestModel {
  resource_type: string;
  name: string;
  original_file_path: string;
  columns: Record<string, unknown>;
  config: { row_access_policy?: string | null };
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
  apiMarts = (Object.values(manifest.nodes) as ManifestModel[]).filter(
    (n) => n.resource_type === 'model' && n.original_file_path.startsWith('models/marts/api/'),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the organization row access policy on the Snowflake api marts', () => {
  it('is configured on every api mart that holds organizations, and only on those', () => {
    const withOrganization = apiMarts.filter((m) => 'organization_id' in m.columns);
    expect(withOrganization.map((m) => m.name).sort()).toEqual([
      'dim_patient_api',
      'dim_patient_identifier_api',
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
