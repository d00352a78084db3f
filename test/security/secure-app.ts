/**
 * The real gateway (`openApp`: the shell's edge, core's routes, context and GraphQL) in
 * production mode over a generated cohort, with tokens from the token lab's JWKS on loopback,
 * every app log line captured and every warehouse statement recorded.
 */
import { join } from 'node:path';
import { createLogger } from '../../src/logger';
import type { SqlValue } from '../../src/warehouse';
import { openTestApp } from '../support/app';
import type { CohortOptions } from '../support/cohort';
import { ISSUER, type TokenLab } from './token-lab';

export interface RecordedQuery {
  sql: string;
  params: readonly SqlValue[];
}

export async function openSecureApp(
  lab: TokenLab,
  cohort: CohortOptions = { patients: 30, orgs: 2, seed: 11 },
  env: Record<string, string> = {},
) {
  const queries: RecordedQuery[] = [];
  const logLines: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(line) } });
  const opened = await openTestApp({
    cohort,
    log,
    onQuery: (sql, params) => queries.push({ sql, params }),
    env: (dir) => ({
      APP_ENV: 'production',
      LOG_LEVEL: 'debug',
      PUBLIC_BASE_URL: 'https://api.example.test',
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: lab.jwks.url,
      AUTH_ISSUER: ISSUER,
      AUDIT_LOG: join(dir, 'audit.ndjson'),
      RATE_LIMIT_CAPACITY: '1000000',
      ...env,
    }),
  });
  const token = (org: string, scope = 'system/*.rs') => lab.sign({ org, scope });

  /** Calls the app as `org` (no token when `org` is null). */
  async function call(path: string, org: string | null, init: RequestInit = {}) {
    const headers = new Headers(init.headers);
    if (org !== null) headers.set('authorization', `Bearer ${await token(org)}`);
    return opened.app.request(path, { ...init, headers });
  }

  /** A GraphQL POST as `org`. */
  function graphql(org: string | null, body: unknown, headers: Record<string, string> = {}) {
    return call('/graphql', org, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  return {
    app: opened.app,
    built: opened.built,
    config: opened.config,
    dir: opened.dir,
    queries,
    logLines,
    token,
    call,
    graphql,
    close: opened.close,
  };
}

export type SecureApp = Awaited<ReturnType<typeof openSecureApp>>;
