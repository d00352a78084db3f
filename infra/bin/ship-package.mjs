#!/usr/bin/env node
// Copies an npm package next to a Lambda bundle (run by infra/lib/constructs/fhir-function.ts after
// esbuild): `ship-package.mjs <package dir> <node_modules dir>`. Packages without an `exports` map
// (graphql 16) get one that maps extensionless subpaths to their `.js` files, as CommonJS resolution
// did, so the bundle's ESM imports (`graphql/language/parser`) resolve to the same one copy that
// `createRequire('graphql')` loads.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const [source, modules] = process.argv.slice(2);
if (!source || !modules) throw new Error('usage: ship-package.mjs <package dir> <node_modules dir>');
const target = join(modules, basename(source));
cpSync(source, target, { recursive: true, dereference: true });
const manifestPath = join(target, 'package.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
if (!manifest.exports) {
  const main = `./${(manifest.main ?? 'index').replace(/^\.\//, '').replace(/\.js$/, '')}.js`;
  manifest.exports = { '.': main, './package.json': './package.json', './*.js': './*.js', './*': './*.js' };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}
