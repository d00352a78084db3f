/**
 * Prepended to every ESM Lambda bundle: CommonJS dependencies bundled into it (snowflake-sdk and
 * its dependencies) call `require()` and read `__dirname` / `__filename`, which ES modules lack.
 */
export const ESM_CJS_BANNER =
  "import{createRequire as __cr}from'node:module';import{fileURLToPath as __fu}from'node:url';import{dirname as __dn}from'node:path';const require=__cr(import.meta.url);const __filename=__fu(import.meta.url);const __dirname=__dn(__filename);";
