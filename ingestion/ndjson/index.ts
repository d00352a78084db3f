export * from './line-reader';
export * from './validate-line';
