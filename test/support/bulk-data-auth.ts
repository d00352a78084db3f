/**
 * The test Bulk Data server's SMART Backend Services side: `.well-known/smart-configuration`, a
 * token endpoint that verifies the client's `private_key_jwt` assertion against its JWKS with jose
 * (issuer = subject = client id, audience = the token URL, RS384/ES384, unique jti, exp ≤ 5 min),
 * and the bearer check (tokens expire by time, or after `tokenUses` requests, to test refresh).
 * See: https://hl7.org/fhir/smart-app-launch/backend-services.html
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';

export interface BulkAuthOptions {
  clientId: string;
  jwks: JSONWebKeySet;
  tokenLifetimeSeconds?: number;
  /** A token stops working after this many requests (an early expiry, as the server sees it). */
  tokenUses?: number;
}

export function createBulkDataAuth(options: BulkAuthOptions | undefined, tokenUrl: () => string) {
  const tokens = new Map<string, { expiresAt: number; uses: number }>();
  const seenJti = new Set<string>();
  return {
    /** Access tokens issued so far. */
    issued: () => tokens.size,
    smartConfiguration: () => ({
      token_endpoint: tokenUrl(),
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
      grant_types_supported: ['client_credentials'],
      capabilities: ['client-confidential-asymmetric'],
    }),
    /** Whether the request carries a valid bearer token (always, when the server needs none). */
    authorized(req: IncomingMessage): boolean {
      if (!options) return true;
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const entry = token ? tokens.get(token) : undefined;
      if (!entry || Date.now() > entry.expiresAt) return false;
      entry.uses += 1;
      return options.tokenUses === undefined || entry.uses <= options.tokenUses;
    },
    /** Answers a token request: [status, body]. */
    async issue(formText: string): Promise<[number, Record<string, unknown>]> {
      const form = new URLSearchParams(formText);
      if (!options || form.get('grant_type') !== 'client_credentials')
        return [400, { error: 'unsupported_grant_type' }];
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
        return [400, { error: 'invalid_client' }];
      }
      try {
        const { payload } = await jwtVerify(
          form.get('client_assertion') ?? '',
          createLocalJWKSet(options.jwks),
          {
            issuer: options.clientId,
            subject: options.clientId,
            audience: tokenUrl(),
            algorithms: ['RS384', 'ES384'],
            maxTokenAge: '5m',
          },
        );
        if (!payload.jti || seenJti.has(payload.jti)) throw new Error('jti reused');
        if (!payload.exp || payload.exp - Math.floor(Date.now() / 1000) > 300) throw new Error('exp too far');
        seenJti.add(payload.jti);
      } catch {
        return [401, { error: 'invalid_client' }];
      }
      const lifetime = options.tokenLifetimeSeconds ?? 300;
      const token = randomUUID();
      tokens.set(token, { expiresAt: Date.now() + lifetime * 1000, uses: 0 });
      return [
        200,
        { access_token: token, token_type: 'bearer', expires_in: lifetime, scope: form.get('scope') },
      ];
    },
  };
}
