export * from './dev-issuer';
export * from './identity';
export type { Principal } from './principal';
export * from './scopes';
export * from './token-verifier';
