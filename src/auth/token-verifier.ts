/**
 * Bearer JWT verification: the one place a request's identity is established. The gateway and
 * the API Gateway Lambda authorizer share it, so both apply exactly the same rules.
 * See: https://www.rfc-editor.org/rfc/rfc8725 (JWT best current practices)
 */
import { type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { unauthorized } from '../fhir/operation-outcome';
import type { Principal } from './principal';
import { scopesFromClaim } from './scopes';

export interface TokenVerifierOptions {
  issuer: string;
  audience: string | string[];
  /** The only algorithms accepted (never `none`, never a symmetric one for a public JWKS). */
  algorithms: readonly string[];
  /** `createRemoteJWKSet(url)` in production, `createLocalJWKSet(jwks)` for the dev issuer and tests. */
  jwks: JWTVerifyGetKey;
  /** The claim holding the organization (tenant) id. */
  orgClaim: string;
  /** The claim holding SMART scopes (space-separated string or array). */
  scopeClaim: string;
  /** Leeway for `exp` / `nbf` / `iat`, at most 60 seconds. */
  clockToleranceSeconds: number;
  /** When set, the JWT `typ` header must equal it (e.g. `at+jwt`). */
  typ?: string;
  /** Receives the reason a token was refused (a jose error code, never the token). */
  onRejected?: (reason: string) => void;
  /**
   * Verified tokens are remembered (signature checks are the costliest part of a cached read):
   * at most `maxEntries`, each for `ttlSeconds` and never past its `exp`. Default 1,000 for 60 s;
   * `ttlSeconds: 0` turns it off. A key retired from the JWKS stops working within the TTL.
   */
  cache?: { maxEntries?: number; ttlSeconds?: number; now?: () => number };
}

export interface TokenVerifier {
  /** Verifies a bearer token (without the `Bearer ` prefix) and returns its principal; throws a 401 `OperationOutcomeError`. */
  verify(token: string): Promise<Principal>;
}

const MAX_TOLERANCE_SECONDS = 60;

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  if (options.algorithms.length === 0) throw new Error('At least one JWT algorithm must be allowed');
  if (options.algorithms.some((a) => a === 'none' || a.startsWith('HS'))) {
    throw new Error('JWT algorithms must be asymmetric (no "none", no HS*)');
  }
  const clockTolerance = Math.min(Math.max(options.clockToleranceSeconds, 0), MAX_TOLERANCE_SECONDS);
  const reject = (reason: string): never => {
    options.onRejected?.(reason);
    throw unauthorized();
  };

  const maxEntries = options.cache?.maxEntries ?? 1000;
  const ttlMs = (options.cache?.ttlSeconds ?? 60) * 1000;
  const now = options.cache?.now ?? Date.now;
  const verified = new Map<string, { principal: Principal; until: number }>();
  const remember = (token: string, principal: Principal, exp: number | undefined) => {
    if (ttlMs <= 0) return;
    if (verified.size >= maxEntries) verified.delete(verified.keys().next().value as string);
    verified.set(token, { principal, until: Math.min(now() + ttlMs, (exp ?? 0) * 1000) });
  };

  return {
    async verify(token) {
      if (!token || token.length > 16_384) return reject('malformed');
      const known = verified.get(token);
      if (known && known.until > now()) return known.principal;
      verified.delete(token);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, options.jwks, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: [...options.algorithms],
          requiredClaims: ['iss', 'aud', 'exp'],
          clockTolerance,
          typ: options.typ,
        }));
      } catch (error) {
        return reject((error as { code?: string }).code ?? 'invalid');
      }
      const org = payload[options.orgClaim];
      if (typeof org !== 'string' || org.trim() === '') return reject('missing-organization');
      const clientId = stringClaim(payload.client_id) ?? stringClaim(payload.azp);
      const subject = stringClaim(payload.sub) ?? clientId;
      if (!subject) return reject('missing-subject');
      const principal: Principal = {
        organizationId: org,
        subject,
        scopes: scopesFromClaim(payload[options.scopeClaim]),
      };
      if (clientId) principal.clientId = clientId;
      remember(token, principal, payload.exp);
      return principal;
    },
  };
}

/** The token of an `Authorization: Bearer <token>` header; `null` when the header is absent or another scheme. */
export function bearerToken(header: string | null | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer[ ]+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
