import { resolve } from 'node:path';

/** The repository root: the CDK app bundles the project's own modules from here. */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

/** A path inside the repository. */
export const repoPath = (...parts: string[]) => resolve(REPO_ROOT, ...parts);
