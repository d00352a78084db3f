/**
 * Identity as configured: in `AUTH_MODE=jwks` a verifier over the issuer's remote JWKS (cached,
 * with a refetch cooldown); in `AUTH_MODE=dev` the built-in dev issuer and a verifier over its keys.
 */
import { createRemoteJWKSet } from 'jose';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { createDevIssuer, type DevIssuer } from './dev-issuer';
import { createTokenVerifier, type TokenVerifier } from './token-verifier';

export interface Identity {
  verifier: TokenVerifier;
  /** Present only in dev mode (never in production). */
  devIssuer?: DevIssuer;
}

export async function createIdentity(config: Config, log?: Logger): Promise<Identity> {
  const a = config.auth;
  const common = {
    issuer: a.issuer,
    audience: a.audience,
    algorithms: a.algorithms,
    orgClaim: a.orgClaim,
    scopeClaim: a.scopeClaim,
    clockToleranceSeconds: a.clockToleranceSeconds,
    onRejected: (reason: string) => log?.debug({ reason }, 'bearer token rejected'),
  };
  if (a.mode === 'jwks') {
    if (!a.jwksUrl) throw new Error('AUTH_MODE=jwks needs AUTH_JWKS_URL');
    const jwks = createRemoteJWKSet(new URL(a.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    return { verifier: createTokenVerifier({ ...common, jwks }) };
  }
  const devIssuer = await createDevIssuer({
    keysDir: a.devKeysDir,
    issuer: a.issuer,
    audience: a.audience,
    orgClaim: a.orgClaim,
    scopeClaim: a.scopeClaim,
    production: config.production,
  });
  return { verifier: createTokenVerifier({ ...common, jwks: devIssuer.keys }), devIssuer };
}
