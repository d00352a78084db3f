/**
 * `graphql` exactly as Pothos and Yoga load it (Node's CommonJS resolution). Bundlers that prefer
 * the package's `module` field (Vite, so vitest) would otherwise hand our files a second copy,
 * and graphql's realm checks (`instanceof GraphQLError`, scalar identity) would fail.
 */
import { createRequire } from 'node:module';

export const graphql = createRequire(import.meta.url)('graphql') as typeof import('graphql');
