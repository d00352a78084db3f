/**
 * The bundles CDK deploys run: each asset's `index.mjs` is loaded by a fresh Node process (no
 * vitest, no tsx, nothing from the repository but the externals) and invoked with an API Gateway
 * event. DuckDB is external in the bundle (production runs Snowflake), so the gateway's smoke run
 * links the repository's DuckDB package beside the copied asset for its local warehouse. On Lambda
 * there is none, and the production run below proves the bundle loads without it (DuckDB and the
 * GraphiQL renderer are imported only when used).
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Stack } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenLab, ISSUER, ORG, type TokenLab } from '../../test/security/token-lab';
import { startSecretsManagerStandIn } from '../../test/support/secrets-manager-standin';
import { repoPath } from '../lib/constructs/repo-paths';
import { type SynthesizedStage, synthStage } from './synth-stage';

// Each synthesis bundles six Lambdas with esbuild and stages the dbt image context: slow on a busy machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const run = promisify(execFile);
let dev: SynthesizedStage;
let outdir: string;
let lab: TokenLab;
beforeAll(async () => {
  dev = await synthStage('dev');
  outdir = dev.app.synth().directory;
  lab = await createTokenLab();
});
afterAll(() => lab?.close());

/** A copy of the function's asset in a temp folder (so nothing resolves from the repository). */
function assetCopy(idPrefix: string, stack: Stack = dev.stacks.api): string {
  const fns = dev.template(stack).findResources('AWS::Lambda::Function');
  const [, fn] = Object.entries(fns).find(([id]) => id.startsWith(idPrefix))!;
  const dir = mkdtempSync(join(tmpdir(), `bundle-${idPrefix}-`));
  cpSync(join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`), dir, {
    recursive: true,
  });
  return dir;
}

/**
 * Runs `handler(event)` of `dir/index.mjs` in a child Node process with `env`; returns its JSON
 * result. Asynchronous: the JWKS server the authorizer fetches from lives in this process.
 */
async function invoke(dir: string, event: unknown, env: Record<string, string>) {
  const script =
    "const { handler } = await import('./index.mjs');" +
    'try { const out = await handler(JSON.parse(process.env.SMOKE_EVENT), {}); process.stdout.write(JSON.stringify({ out })); }' +
    'catch (e) { process.stdout.write(JSON.stringify({ error: String(e.message) })); }';
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      LOG_LEVEL: 'silent',
      SMOKE_EVENT: JSON.stringify(event),
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { out?: Record<string, unknown>; error?: string };
}

const restEvent = (path: string, headers: Record<string, string> = {}) => ({
  resource: '/{proxy+}',
  path,
  httpMethod: 'GET',
  headers,
  multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: { proxy: path.slice(1) },
  stageVariables: null,
  requestContext: {
    resourcePath: '/{proxy+}',
    httpMethod: 'GET',
    path: `/dev${path}`,
    stage: 'dev',
    requestId: 'smoke-1',
    identity: { sourceIp: '127.0.0.1', userAgent: 'smoke' },
  },
  body: null,
  isBase64Encoded: false,
});

describe('the deployed bundles', () => {
  it('authorizer: allows a valid token and refuses a missing one, from the bundled module alone', async () => {
    const dir = assetCopy('Authorizer');
    // Production settings, as deployed: the authorizer needs no tokenization salt and no secret.
    const env = {
      APP_ENV: 'production',
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: lab.jwks.url,
      AUTH_ISSUER: ISSUER,
      DATA_DIR: dir,
    };
    const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/v1/fhir/Patient';
    const token = await lab.sign();
    const allowed = await invoke(
      dir,
      { type: 'REQUEST', methodArn, headers: { Authorization: `Bearer ${token}` } },
      env,
    );
    expect(allowed.error).toBeUndefined();
    expect(allowed.out).toMatchObject({
      policyDocument: {
        Statement: [
          { Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/*/*' },
        ],
      },
      context: { organizationId: ORG },
    });
    expect(await invoke(dir, { type: 'REQUEST', methodArn, headers: {} }, env)).toEqual({
      error: 'Unauthorized',
    });
  });

  it('gateway: starts the Hono app (GraphQL schema, openapi.yaml) and serves health and the CapabilityStatement', async () => {
    const dir = assetCopy('Gateway');
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(repoPath('node_modules/@duckdb'), join(dir, 'node_modules/@duckdb'));
    const env = { APP_ENV: 'development', DATA_DIR: join(dir, '.data') };
    const health = await invoke(dir, restEvent('/healthz'), env);
    expect(health.out).toMatchObject({ statusCode: 200, body: JSON.stringify({ status: 'ok' }) });
    const metadata = await invoke(dir, restEvent('/v1/fhir/metadata'), env);
    expect(metadata.out?.statusCode).toBe(200);
    expect(JSON.parse(String(metadata.out?.body))).toMatchObject({ resourceType: 'CapabilityStatement' });
  });

  it('gateway: starts in production without DuckDB, its salt and Snowflake key read by ARN from Secrets Manager', async () => {
    const dir = assetCopy('Gateway');
    expect(existsSync(join(dir, 'node_modules/@duckdb'))).toBe(false);
    // DuckDB may only be imported when a DuckDB warehouse opens, never at module load.
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).not.toMatch(/from\s*"@duckdb\//);
    const saltArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fhir-gateway-dev/token-salt-AbCdEf';
    const keyArn =
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:fhir-gateway-dev/snowflake/gateway-private-key-GhIjKl';
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const secrets = await startSecretsManagerStandIn({
      [saltArn]: 'salt-from-secrets-manager-0123456789',
      [keyArn]: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    try {
      // What the Api stack sets (its environment is asserted in lambda.test.ts), plus what Lambda
      // itself provides (region, credentials) and the stand-in's endpoint.
      const env = {
        APP_ENV: 'production',
        AUTH_MODE: 'jwks',
        AUTH_JWKS_URL: lab.jwks.url,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: 'fhir-gateway',
        TOKEN_SALT_SECRET_ARN: saltArn,
        WAREHOUSE: 'snowflake',
        SNOWFLAKE_ACCOUNT: 'example-dev',
        SNOWFLAKE_USER: 'FHIR_GATEWAY_API',
        SNOWFLAKE_DATABASE: 'FHIR_GATEWAY',
        SNOWFLAKE_PRIVATE_KEY_SECRET_ARN: keyArn,
        SF_OCSP_RESPONSE_CACHE_DIR: dir,
        OBJECT_STORE: 's3',
        S3_BUCKET: 'fhir-gateway-dev-landing-123456789012-us-east-1',
        S3_REGION: 'us-east-1',
        DATA_DIR: join(dir, '.data'),
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      };
      const health = await invoke(dir, restEvent('/healthz'), env);
      expect(health.error).toBeUndefined();
      expect(health.out).toMatchObject({ statusCode: 200, body: JSON.stringify({ status: 'ok' }) });
      expect(secrets.asked.map((a) => a.secretId).sort()).toEqual([saltArn, keyArn].sort());
      // A FHIR read without a token is refused by the gateway itself, as an OperationOutcome.
      const patients = await invoke(dir, restEvent('/v1/fhir/Patient'), env);
      expect(patients.out?.statusCode).toBe(401);
      expect(JSON.parse(String(patients.out?.body))).toMatchObject({ resourceType: 'OperationOutcome' });
    } finally {
      await secrets.close();
    }
  });

  it('bulk handlers: each loads alone with production settings and no salt, and runs (bad input refused by the handler itself)', async () => {
    // What the Ingestion stack sets (no tokenization salt: the bulk handlers never tokenize).
    const env = {
      APP_ENV: 'production',
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: lab.jwks.url,
      AUTH_ISSUER: ISSUER,
      OBJECT_STORE: 's3',
      S3_BUCKET: 'fhir-gateway-dev-landing-123456789012-us-east-1',
      S3_REGION: 'us-east-1',
    };
    const initiate = assetCopy('BulkInitiateExport', dev.stacks.ingestion);
    expect(await invoke(initiate, {}, { ...env, DATA_DIR: initiate })).toEqual({
      error: 'jobId must be 1-41 letters, digits, - or _',
    });
    const finalize = assetCopy('BulkFinalizeJob', dev.stacks.ingestion);
    expect(await invoke(finalize, {}, { ...env, DATA_DIR: finalize })).toEqual({
      out: { status: 'failed', failure: 'no job id' },
    });
  });
});
