export { normalizeType } from './contract';
export { runTransform } from './run-transform';
export type { TransformOptions, TransformResult } from './types';
