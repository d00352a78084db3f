/**
 * `npm run bench [-- name ...]`: runs every benchmark module in this folder (or the named ones)
 * one after another and prints their figures. Each module exports `run(): Promise<void>`.
 * Figures are printed, never asserted: targets live here, not in timed tests.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const modules = (await readdir(here))
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts'))
  .map((f) => basename(f, '.ts'))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();

if (modules.length === 0) {
  console.error(`No benchmark named ${wanted.join(', ')}`);
  process.exit(2);
}
for (const name of modules) {
  console.log(`\n=== ${name} ===`);
  const started = performance.now();
  const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run: () => Promise<void> };
  await mod.run();
  console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
