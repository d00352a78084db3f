export { createLocalObjectStore } from './local-object-store';
export * from './object-store';
export { openObjectStore } from './open-object-store';
