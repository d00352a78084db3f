import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type SynthesizedStage, synthStage } from './synth-stage';

// Each synthesis bundles six Lambdas with esbuild and stages the dbt image context: slow on a busy machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

let dev: SynthesizedStage;
let outdir: string;
beforeAll(async () => {
  dev = await synthStage('dev');
  outdir = dev.app.synth().directory;
});

/**
 * Size budgets of the bundled `index.mjs` (uncompressed). The gateway carries GraphQL Yoga, Pothos,
 * hono, jose and snowflake-sdk (4.7 MiB); the GraphiQL page (≈ 9 MB, development only) stays out.
 */
const BUDGET_BYTES: Record<string, number> = {
  Gateway: 6 * 2 ** 20,
  Authorizer: 1 * 2 ** 20,
  default: 4 * 2 ** 20,
};

const functions = (s: SynthesizedStage) =>
  s.all.flatMap((stack) =>
    Object.entries(s.template(stack).findResources('AWS::Lambda::Function')).map(([id, fn]) => ({
      stack,
      id,
      fn,
    })),
  );

describe('the Lambda functions', () => {
  it('run nodejs22.x on arm64 in the VPC, traced, with an encrypted environment and their own log group', () => {
    const all = functions(dev);
    expect(all.map((f) => f.id.replace(/Function[0-9A-F]{8}$/, ''))).toEqual(
      expect.arrayContaining(['Authorizer', 'Gateway']),
    );
    for (const { fn } of all) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        KmsKeyArn: expect.anything(),
        VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        ReservedConcurrentExecutions: expect.any(Number),
      });
    }
  });

  it('deploy the gateway with the production configuration src/config.ts reads', () => {
    const gateway = functions(dev).find((f) => f.id.startsWith('Gateway'))!;
    expect(gateway.fn.Properties.Environment.Variables).toMatchObject({
      APP_ENV: 'production',
      WAREHOUSE: 'snowflake',
      AUTH_MODE: 'jwks',
      AUTH_JWKS_URL: dev.config.auth.jwksUrl,
      AUTH_ISSUER: dev.config.auth.issuer,
      OBJECT_STORE: 's3',
      S3_BUCKET: expect.anything(),
      SNOWFLAKE_ACCOUNT: dev.config.snowflake.account,
      TOKEN_SALT_SECRET_ARN: { 'Fn::ImportValue': expect.stringMatching(/TokenSalt/) },
      SNOWFLAKE_PRIVATE_KEY_SECRET_ARN: { 'Fn::ImportValue': expect.stringMatching(/SnowflakeGatewayKey/) },
    });
    expect(JSON.stringify(gateway.fn.Properties.Environment)).not.toMatch(/TOKEN_SALT"|PRIVATE_KEY"/);
  });

  it("bundle the project's own handler modules, the same the local server runs", () => {
    for (const { id, fn } of functions(dev)) {
      const dir = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      const sources: string[] = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')).sources;
      if (id.startsWith('Gateway')) {
        expect(sources).toEqual(
          expect.arrayContaining([expect.stringMatching(/src\/handlers\/lambda\.ts$/)]),
        );
        // One function serves all four doors: GraphQL, REST FHIR, ingestion and Bulk Data export.
        for (const module of [
          /src\/app\.ts$/,
          /src\/graphql\/graphql-handler\.ts$/,
          /src\/rest\/fhir-routes\.ts$/,
          /src\/doors\/ingestion\//,
          /ingestion\/jobs\/ingestion-service\.ts$/,
          /src\/doors\/export\//,
          /src\/export\/export-service\.ts$/,
          /src\/warehouse\/snowflake-warehouse\.ts$/,
        ]) {
          expect(sources, String(module)).toEqual(expect.arrayContaining([expect.stringMatching(module)]));
        }
        expect(statSync(join(dir, 'schema/openapi.yaml')).size).toBeGreaterThan(0);
        expect(statSync(join(dir, 'node_modules/graphql/package.json')).size).toBeGreaterThan(0);
      }
      const bulk = /^Bulk(\w+)Function/.exec(id)?.[1];
      if (bulk) {
        const file = bulk.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
        expect(sources).toEqual(
          expect.arrayContaining([
            expect.stringMatching(new RegExp(`ingestion/bulk/handlers/${file}\\.ts$`)),
          ]),
        );
      }
      if (id.startsWith('Authorizer')) {
        expect(sources).toEqual(
          expect.arrayContaining([expect.stringMatching(/src\/handlers\/authorizer\.ts$/)]),
        );
      }
      expect(
        sources.some((s) => /@duckdb\//.test(s)),
        `${id} must not bundle DuckDB`,
      ).toBe(false);
      expect(
        sources.some((s) => /@graphql-yoga\/render-graphiql\//.test(s)),
        `${id} must not bundle the GraphiQL page (development only)`,
      ).toBe(false);
    }
  });

  it('stay under their bundle size budgets', () => {
    const sizes: Record<string, number> = {};
    for (const { id, fn } of functions(dev)) {
      const name = id.replace(/Function[0-9A-F]{8}$/, '');
      const dir = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      sizes[name] = statSync(join(dir, 'index.mjs')).size;
      expect(sizes[name], name).toBeLessThanOrEqual(BUDGET_BYTES[name] ?? BUDGET_BYTES.default!);
    }
    console.log(
      'bundle sizes (index.mjs):',
      Object.entries(sizes)
        .map(([k, v]) => `${k} ${(v / 2 ** 20).toFixed(2)} MiB`)
        .join(', '),
    );
  });
});
