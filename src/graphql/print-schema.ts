/** Prints the schema SDL to `schema/schema.graphql` (`npx tsx src/graphql/print-schema.ts`). */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { printSchemaSdl } from './schema';

const target = resolve(import.meta.dirname, '../../schema/schema.graphql');
writeFileSync(target, printSchemaSdl());
console.log(`wrote ${target}`);
