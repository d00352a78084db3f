/**
 * The token half of the attack catalogue (issue 5), run against the shared verifier and the
 * Lambda authorizer over a real remote JWKS on loopback. Every forgery is refused the same way:
 * 401 with the same OperationOutcome from the verifier, `Unauthorized` from the authorizer.
 */
import { createRemoteJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from '../../src/auth';
import { OperationOutcomeError } from '../../src/fhir/operation-outcome';
import { createAuthorizer } from '../../src/handlers/authorizer';
import { loadAuthorizerEvent } from '../fixtures/authorizer/load-event';
import {
  AUDIENCE,
  createLabKey,
  createTokenLab,
  forgedTokens,
  ISSUER,
  ORG,
  type TokenLab,
} from './token-lab';

let lab: TokenLab;
let forged: Record<string, string>;

beforeAll(async () => {
  lab = await createTokenLab();
  forged = await forgedTokens(lab);
});
afterAll(() => lab.close());

const REFUSED = {
  status: 401,
  headers: { 'WWW-Authenticate': 'Bearer' },
  outcome: {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'login', diagnostics: 'A valid bearer token is required' }],
  },
};

async function verifierAnswer(verify: (t: string) => Promise<unknown>, token: string) {
  try {
    return { accepted: await verify(token) };
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) return { unexpected: String(error) };
    return { status: error.status, headers: error.headers, outcome: error.outcome };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('token attacks against the verifier', () => {
  it('accepts the control: a well-formed token from the published key', async () => {
    expect(await lab.verifier().verify(await lab.sign())).toEqual({
      organizationId: ORG,
      subject: 'svc-lab',
      clientId: 'lab-client',
      scopes: ['system/*.rs'],
    });
  });

  it('refuses every forged token with the same 401 OperationOutcome', async () => {
    const verifier = lab.verifier();
    const answers: Record<string, unknown> = {};
    for (const [name, token] of Object.entries(forged))
      answers[name] = await verifierAnswer(verifier.verify, token);
    expect(answers).toEqual(Object.fromEntries(Object.keys(forged).map((name) => [name, REFUSED])));
  });

  it('never fetches a key set named by a token jku header', async () => {
    const before = lab.elsewhere.requests.length;
    expect(await verifierAnswer(lab.verifier().verify, forged['jku pointing elsewhere']!)).toEqual(REFUSED);
    expect(lab.elsewhere.requests.length).toBe(before);
    expect(lab.elsewhere.requests).toEqual([]);
  });

  it('accepts a rotated-in key and refuses the retired one once the JWKS changes and the cache ages out', async () => {
    const verifier = lab.verifier({ cooldownMs: 50, cacheMaxAgeMs: 150 });
    const next = await createLabKey('RS256', 'rsa-2');
    const oldToken = await lab.sign();
    const newToken = await lab.sign({}, { key: next });
    try {
      expect((await verifier.verify(oldToken)).organizationId).toBe(ORG);
      lab.jwks.setKeys({ keys: [lab.rsa.jwk, next.jwk] });
      await sleep(60);
      expect((await verifier.verify(newToken)).organizationId).toBe(ORG);

      lab.jwks.setKeys({ keys: [next.jwk] });
      await sleep(160);
      expect(await verifierAnswer(verifier.verify, oldToken)).toEqual(REFUSED);
      expect((await verifier.verify(newToken)).organizationId).toBe(ORG);
    } finally {
      lab.jwks.setKeys({ keys: [lab.rsa.jwk, lab.ec.jwk] });
    }
  });

  it('answers 401, not 5xx, when the JWKS cannot be reached', async () => {
    const verifier = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      jwks: createRemoteJWKSet(new URL('http://127.0.0.1:9/jwks.json'), { timeoutDuration: 500 }),
      orgClaim: 'org',
      scopeClaim: 'scope',
      clockToleranceSeconds: 30,
    });
    expect(await verifierAnswer(verifier.verify, await lab.sign())).toEqual(REFUSED);
  });
});

describe('token attacks against the Lambda authorizer', () => {
  it('throws Unauthorized, and nothing else, for every forged token', async () => {
    const authorize = createAuthorizer(lab.verifier());
    const answers: Record<string, string> = {};
    for (const [name, token] of Object.entries(forged)) {
      const event = loadAuthorizerEvent('rest-v1-request.json', token ? `Bearer ${token}` : null);
      answers[name] = await authorize(event).then(
        () => 'allowed',
        (e: Error) => e.message,
      );
    }
    expect(answers).toEqual(Object.fromEntries(Object.keys(forged).map((name) => [name, 'Unauthorized'])));
    expect(lab.elsewhere.requests).toEqual([]);
  });
});
