import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { createDevIssuer } from './dev-issuer';
import { createIdentity } from './identity';

const dir = await mkdtemp(join(tmpdir(), 'dev-issuer-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const options = {
  keysDir: join(dir, 'keys'),
  issuer: 'urn:fhir-gateway:dev-issuer',
  audience: 'fhir-gateway',
  orgClaim: 'org',
  scopeClaim: 'scope',
  production: false,
};

describe('the dev issuer', () => {
  it('creates its key pair once, private to the owner, and reuses it', async () => {
    const first = await createDevIssuer(options);
    const second = await createDevIssuer(options);
    expect(second.jwks).toEqual(first.jwks);
    const file = join(options.keysDir, 'dev-issuer.private.jwk.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveProperty('d');
  });

  it('publishes only public key material', async () => {
    const { jwks } = await createDevIssuer(options);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('mints tokens the configured verifier accepts, with the requested org, scopes and lifetime', async () => {
    const config = loadConfig({ DATA_DIR: dir });
    const { devIssuer, verifier } = await createIdentity(config);
    const token = await devIssuer!.mintDevToken({
      org: 'org-2',
      scopes: ['system/Patient.rs'],
      ttlSeconds: 120,
    });
    expect(await verifier.verify(token)).toEqual({
      organizationId: 'org-2',
      subject: 'dev-user',
      clientId: 'fhir-gateway-dev',
      scopes: ['system/Patient.rs'],
    });
    const claims = decodeJwt(token);
    expect(claims.exp! - claims.iat!).toBe(120);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid: devIssuer!.jwks.keys[0]!.kid });
  });

  it('never runs in production', async () => {
    await expect(createDevIssuer({ ...options, production: true })).rejects.toThrow(
      /never runs in production/,
    );
  });
});
