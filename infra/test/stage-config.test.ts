/**
 * The stage props name what the Snowflake scripts create, so that a deployment following
 * docs/deploy.md logs in as users that exist, with the roles and warehouses they were granted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../lib/constructs/repo-paths';
import { STAGES } from '../lib/stage-config';

const script = (name: string) => readFileSync(repoPath('infra/snowflake', name), 'utf8');
/** Unquoted Snowflake identifiers are case-insensitive: compared upper-cased. */
const created = (sql: string, kind: string) =>
  [...sql.matchAll(new RegExp(`create ${kind} if not exists ([a-z_][a-z0-9_.]*)`, 'gi'))].map((m) =>
    m[1]!.toUpperCase(),
  );

describe('the stage props and infra/snowflake/', () => {
  const roles = script('005_roles.sql');
  for (const stage of Object.values(STAGES)) {
    it(`${stage.stage}: users, roles, warehouses and database exist, each user granted its role and warehouse`, () => {
      const sf = stage.snowflake;
      expect(created(script('001_database.sql'), 'database')).toContain(sf.database);
      expect(created(roles, 'user')).toEqual(expect.arrayContaining([sf.user, sf.dbtUser]));
      expect(created(roles, 'role')).toEqual(expect.arrayContaining([sf.role, sf.dbtRole]));
      expect(created(roles, 'warehouse')).toEqual(expect.arrayContaining([sf.warehouse, sf.dbtWarehouse]));
      for (const [user, role, warehouse] of [
        [sf.user, sf.role, sf.warehouse],
        [sf.dbtUser, sf.dbtRole, sf.dbtWarehouse],
      ] as const) {
        expect(roles.toUpperCase()).toContain(`GRANT ROLE ${role} TO USER ${user};`);
        expect(roles.toUpperCase()).toContain(`GRANT USAGE ON WAREHOUSE ${warehouse} TO ROLE ${role};`);
      }
      // The gateway's role reads the api marts and nothing else.
      expect(roles.toUpperCase()).toContain(`GRANT USAGE ON SCHEMA FHIR_GATEWAY.API TO ROLE ${sf.role};`);
      expect(roles.toUpperCase()).not.toContain(`ON SCHEMA FHIR_GATEWAY.RAW TO ROLE ${sf.role};`);
    });
  }
});
