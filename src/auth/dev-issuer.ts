/**
 * The built-in issuer for local mode: an ES256 key pair created once under `.data/keys/`, its
 * public JWKS served at `/.well-known/jwks.json`, and short-lived tokens minted for the CLI and
 * GraphiQL. It refuses to exist in production.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';

export const DEV_ALGORITHM = 'ES256';
const KEY_FILE = 'dev-issuer.private.jwk.json';

export interface DevIssuerOptions {
  /** Where the key pair is kept (`config.auth.devKeysDir`). */
  keysDir: string;
  issuer: string;
  audience: string;
  orgClaim: string;
  scopeClaim: string;
  /** `config.production`: the dev issuer refuses to start when true. */
  production: boolean;
}

export interface DevTokenRequest {
  org: string;
  /** SMART scopes; `system/*.rs` when omitted. */
  scopes?: readonly string[];
  subject?: string;
  /** Lifetime; one hour when omitted. */
  ttlSeconds?: number;
}

export interface DevIssuer {
  readonly issuer: string;
  /** The public keys, as served at `/.well-known/jwks.json`. */
  readonly jwks: JSONWebKeySet;
  /** A key resolver over `jwks`, for `createTokenVerifier`. */
  readonly keys: JWTVerifyGetKey;
  mintDevToken(request: DevTokenRequest): Promise<string>;
}

/** Loads the dev key pair from `keysDir`, creating it on first use. */
export async function createDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  if (options.production) throw new Error('The dev token issuer never runs in production');
  const privateJwk = await loadOrCreateKey(options.keysDir);
  const { d: _d, ...publicJwk } = privateJwk;
  const jwks: JSONWebKeySet = { keys: [{ ...publicJwk, use: 'sig', alg: DEV_ALGORITHM }] };
  const privateKey = await importJWK(privateJwk, DEV_ALGORITHM);

  return {
    issuer: options.issuer,
    jwks,
    keys: createLocalJWKSet(jwks),
    async mintDevToken(request) {
      if (!request.org) throw new Error('A dev token needs an organization');
      const ttl = request.ttlSeconds ?? 3600;
      if (!Number.isInteger(ttl) || ttl <= 0)
        throw new Error('The token lifetime must be a positive integer');
      return new SignJWT({
        [options.orgClaim]: request.org,
        [options.scopeClaim]: (request.scopes ?? ['system/*.rs']).join(' '),
        client_id: 'fhir-gateway-dev',
      })
        .setProtectedHeader({ alg: DEV_ALGORITHM, kid: privateJwk.kid, typ: 'JWT' })
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setSubject(request.subject ?? 'dev-user')
        .setIssuedAt()
        .setNotBefore('0s')
        .setExpirationTime(`${ttl}s`)
        .setJti(randomUUID())
        .sign(privateKey);
    },
  };
}

async function loadOrCreateKey(dir: string): Promise<JWK> {
  const file = join(dir, KEY_FILE);
  const existing = await readKey(file);
  if (existing) return existing;
  await mkdir(dir, { recursive: true });
  const { privateKey } = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(privateKey);
  jwk.kid = await calculateJwkThumbprint(jwk);
  jwk.alg = DEV_ALGORITHM;
  // `wx`: when two processes race, the first key written wins and both read it back.
  await writeFile(file, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' }).catch(() => undefined);
  const written = await readKey(file);
  if (!written) throw new Error(`Could not create the dev issuer key in ${dir}`);
  return written;
}

async function readKey(file: string): Promise<JWK | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  const jwk = JSON.parse(text) as JWK;
  if (jwk.kty !== 'EC' || !jwk.d || !jwk.kid) throw new Error(`${file} is not a dev issuer key`);
  return jwk;
}
