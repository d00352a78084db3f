/** How the project's Lambda bundles are built (infra/lib/constructs/fhir-function.ts; the cold-start bench builds the same). */

/**
 * Prepended to every ESM Lambda bundle: CommonJS dependencies bundled into it (snowflake-sdk and
 * its dependencies) call `require()` and read `__dirname` / `__filename`, which ES modules lack.
 */
export const ESM_CJS_BANNER =
  "import{createRequire as __cr}from'node:module';import{fileURLToPath as __fu}from'node:url';import{dirname as __dn}from'node:path';const require=__cr(import.meta.url);const __filename=__fu(import.meta.url);const __dirname=__dn(__filename);";

/**
 * Modules not bundled. DuckDB is the local warehouse and is native code built for the developer's
 * machine (never for Lambda's arm64); production runs `WAREHOUSE=snowflake`. `graphql` is shipped
 * as a plain package instead (`shipPackages` in constructs/fhir-function.ts): the app loads it with `createRequire`, which a
 * bundler cannot follow, so Yoga, Pothos and our code must all share that one copy. The GraphiQL
 * page's renderer (~9 MB of inlined scripts and fonts) is served in development only, imported on
 * its first request; production (`APP_ENV=production`) never asks for it.
 */
export const EXTERNAL_MODULES = [
  '@duckdb/node-api',
  '@duckdb/node-bindings',
  'graphql',
  '@graphql-yoga/render-graphiql',
];
