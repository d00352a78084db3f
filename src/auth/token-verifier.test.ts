import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { OperationOutcomeError } from '../fhir/operation-outcome';
import { bearerToken, createTokenVerifier, type TokenVerifier } from './token-verifier';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'fhir-gateway';
let sign: (claims: JWTPayload, header?: { alg?: string; kid?: string }) => Promise<string>;
let verifier: TokenVerifier;
const rejected: string[] = [];

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  verifier = createTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256'],
    jwks: createLocalJWKSet({ keys: [jwk] }),
    orgClaim: 'org',
    scopeClaim: 'scope',
    clockToleranceSeconds: 30,
    onRejected: (reason) => rejected.push(reason),
  });
  sign = (claims, header = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'svc-1', iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header })
      .sign(privateKey);
  };
});

async function refusal(token: string) {
  const error = await verifier.verify(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OperationOutcomeError);
  const e = error as OperationOutcomeError;
  return { status: e.status, headers: e.headers, outcome: e.outcome };
}

const REFUSED = {
  status: 401,
  headers: { 'WWW-Authenticate': 'Bearer' },
  outcome: {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'login', diagnostics: 'A valid bearer token is required' }],
  },
};

describe('createTokenVerifier', () => {
  it('turns a valid token into the principal its claims describe', async () => {
    const token = await sign({ org: 'org-1', scope: 'system/Patient.rs system/*.rs', client_id: 'app-7' });
    expect(await verifier.verify(token)).toEqual({
      organizationId: 'org-1',
      subject: 'svc-1',
      clientId: 'app-7',
      scopes: ['system/Patient.rs', 'system/*.rs'],
    });
  });

  it('refuses expired, not-yet-valid, foreign-issuer and foreign-audience tokens with the same bare 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const claims of [
      { org: 'org-1', exp: now - 120 },
      { org: 'org-1', nbf: now + 120 },
      { org: 'org-1', iss: 'https://evil.test' },
      { org: 'org-1', aud: 'another-api' },
    ]) {
      expect(await refusal(await sign(claims))).toEqual(REFUSED);
    }
  });

  it('accepts a token expired by less than the clock tolerance', async () => {
    const now = Math.floor(Date.now() / 1000);
    const principal = await verifier.verify(await sign({ org: 'org-1', exp: now - 10 }));
    expect(principal.organizationId).toBe('org-1');
  });

  it('requires exp and a non-empty organization claim', async () => {
    expect(await refusal(await sign({ org: 'org-1', exp: undefined }))).toEqual(REFUSED);
    expect(await refusal(await sign({ org: '' }))).toEqual(REFUSED);
    expect(await refusal(await sign({ org: ['org-1'] }))).toEqual(REFUSED);
    expect(await refusal(await sign({ scope: 'system/*.rs' }))).toEqual(REFUSED);
    expect(rejected).toContain('missing-organization');
  });

  it('refuses unsigned tokens, unknown keys and garbage', async () => {
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ iss: ISSUER, aud: AUDIENCE, org: 'org-1', exp: 9_999_999_999 }),
    ).toString('base64url')}.`;
    expect(await refusal(unsigned)).toEqual(REFUSED);
    expect(await refusal(await sign({ org: 'org-1' }, { kid: 'unknown' }))).toEqual(REFUSED);
    expect(await refusal('not-a-jwt')).toEqual(REFUSED);
    expect(await refusal('')).toEqual(REFUSED);
  });

  it('refuses to be configured with symmetric or "none" algorithms', () => {
    const base = {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: createLocalJWKSet({ keys: [] }),
      orgClaim: 'org',
      scopeClaim: 'scope',
      clockToleranceSeconds: 0,
    };
    expect(() => createTokenVerifier({ ...base, algorithms: ['HS256'] })).toThrow(/asymmetric/);
    expect(() => createTokenVerifier({ ...base, algorithms: ['none'] })).toThrow(/asymmetric/);
    expect(() => createTokenVerifier({ ...base, algorithms: [] })).toThrow(/At least one/);
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header and nothing else', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeNull();
    expect(bearerToken('Bearer ')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('the verified-token cache', () => {
  it('checks a signature once per token within the TTL, and never past the token exp', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const localKeys = createLocalJWKSet({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'c1', alg: 'ES256' }],
    });
    let keyLookups = 0;
    let clock = Date.now();
    const cached = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwks: (header, token) => {
        keyLookups += 1;
        return localKeys(header, token);
      },
      orgClaim: 'org',
      scopeClaim: 'scope',
      clockToleranceSeconds: 0,
      cache: { ttlSeconds: 60, now: () => clock },
    });
    const exp = Math.floor(clock / 1000) + 30;
    const token = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 's', org: 'org-1', exp })
      .setProtectedHeader({ alg: 'ES256', kid: 'c1' })
      .sign(privateKey);

    await cached.verify(token);
    await cached.verify(token);
    expect(keyLookups).toBe(1);

    clock = exp * 1000 + 1; // past exp, inside the TTL: the cache must not answer
    await cached.verify(token).catch(() => undefined);
    expect(keyLookups).toBe(2);
  });
});
