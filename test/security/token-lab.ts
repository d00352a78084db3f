/**
 * Keys, a JWKS server and forged tokens for the attack catalogue: everything a test needs to
 * mint good tokens and each kind of bad one against a real remote JWKS on loopback.
 */
import {
  createRemoteJWKSet,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { createTokenVerifier, type TokenVerifier } from '../../src/auth';
import { type JwksServer, startJwksServer } from './jwks-server';

export const ISSUER = 'https://issuer.example.test';
export const AUDIENCE = 'fhir-gateway';
export const ORG = 'org-lab';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface LabKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: PrivateKey;
  /** The public JWK as published in the JWKS. */
  jwk: JWK;
  /** The public key in PEM (SPKI), the classic secret of an HS256 key-confusion attack. */
  pem: string;
}

export async function createLabKey(alg: 'RS256' | 'ES256', kid: string): Promise<LabKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk, pem: await exportSPKI(publicKey) };
}

export interface TokenLab {
  jwks: JwksServer;
  /** A second server standing for an attacker's key set (`jku` target). */
  elsewhere: JwksServer;
  rsa: LabKey;
  ec: LabKey;
  /** A key the JWKS never published. */
  stranger: LabKey;
  /** Signs `claims` over a valid default payload (`null` removes a default claim). */
  sign(
    claims?: Record<string, unknown>,
    options?: { key?: LabKey; header?: Record<string, unknown> },
  ): Promise<string>;
  /** A verifier over the remote JWKS, as production builds it. */
  verifier(options?: { cooldownMs?: number; cacheMaxAgeMs?: number }): TokenVerifier;
  close(): Promise<void>;
}

export async function createTokenLab(): Promise<TokenLab> {
  const rsa = await createLabKey('RS256', 'rsa-1');
  const ec = await createLabKey('ES256', 'ec-1');
  const stranger = await createLabKey('RS256', 'stranger');
  const jwks = await startJwksServer({ keys: [rsa.jwk, ec.jwk] });
  const elsewhere = await startJwksServer({ keys: [stranger.jwk] });
  return {
    jwks,
    elsewhere,
    rsa,
    ec,
    stranger,
    async sign(claims = {}, options = {}) {
      const key = options.key ?? rsa;
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: ISSUER,
        aud: AUDIENCE,
        sub: 'svc-lab',
        client_id: 'lab-client',
        org: ORG,
        scope: 'system/*.rs',
        iat: now,
        exp: now + 300,
        ...claims,
      };
      for (const [k, v] of Object.entries(payload)) if (v === null) delete payload[k];
      return new SignJWT(payload as JWTPayload)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header })
        .sign(key.privateKey);
    },
    verifier(options = {}) {
      return createTokenVerifier({
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['RS256', 'ES256'],
        jwks: createRemoteJWKSet(new URL(jwks.url), {
          cooldownDuration: options.cooldownMs ?? 30_000,
          cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
        }),
        orgClaim: 'org',
        scopeClaim: 'scope',
        clockToleranceSeconds: 30,
        // Verified tokens are remembered no longer than the key set they were checked against.
        cache: { ttlSeconds: Math.min(60, (options.cacheMaxAgeMs ?? 600_000) / 1000) },
      });
    },
    async close() {
      await Promise.all([jwks.close(), elsewhere.close()]);
    },
  };
}

/** An HS256 token whose HMAC secret is the RSA public key: the classic algorithm-confusion forgery. */
export async function hs256WithPublicKey(lab: TokenLab): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'svc-lab', org: ORG, exp: now + 300 })
    .setProtectedHeader({ alg: 'HS256', kid: lab.rsa.kid })
    .sign(new TextEncoder().encode(lab.rsa.pem));
}

/** An unsigned `alg: none` token with otherwise valid claims. */
export function algNone(): string {
  const now = Math.floor(Date.now() / 1000);
  return new UnsecuredJWT({ org: ORG, sub: 'svc-lab', scope: 'system/*.rs' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(now + 300)
    .encode();
}

/**
 * The token attacks of the catalogue, each of which must be refused with 401 (the verifier)
 * or `Unauthorized` (the authorizer). `jku` and rotation need their own assertions.
 */
export async function forgedTokens(lab: TokenLab): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  return {
    'no token': '',
    'garbage token': 'this.is-not.a-jwt',
    'alg none': algNone(),
    'HS256 signed with the RSA public key': await hs256WithPublicKey(lab),
    'missing exp': await lab.sign({ exp: null }),
    expired: await lab.sign({ iat: now - 7200, exp: now - 3600 }),
    'nbf in the future': await lab.sign({ nbf: now + 3600 }),
    'wrong issuer': await lab.sign({ iss: 'https://evil.example.test' }),
    'wrong audience': await lab.sign({ aud: 'another-api' }),
    'unknown kid': await lab.sign({}, { key: lab.stranger }),
    'kid with path traversal': await lab.sign(
      {},
      { key: lab.stranger, header: { kid: '../../../etc/passwd' } },
    ),
    'kid with SQL': await lab.sign({}, { key: lab.stranger, header: { kid: "rsa-1' OR '1'='1" } }),
    'known kid, wrong key': await lab.sign({}, { key: lab.stranger, header: { kid: lab.rsa.kid } }),
    'no organization claim': await lab.sign({ org: null }),
    'jku pointing elsewhere': await lab.sign({}, { key: lab.stranger, header: { jku: lab.elsewhere.url } }),
  };
}
