/**
 * SMART Backend Services: a `private_key_jwt` client assertion (RS384 or ES384, signed with jose)
 * exchanged at the token endpoint named by the server's `.well-known/smart-configuration` for a
 * bearer token, cached until shortly before it expires (and dropped when the server answers 401).
 * See: https://hl7.org/fhir/smart-app-launch/backend-services.html
 */
import { randomUUID } from 'node:crypto';
import { importJWK, importPKCS8, type JWK, SignJWT } from 'jose';
import { BulkPermanentError, BulkTransientError } from './bulk-errors';
import type { SafeHttp } from './safe-http';

export interface SmartAuthOptions {
  http: SafeHttp;
  /** The FHIR server's base URL (the smart-configuration is under it). */
  fhirBaseUrl: string;
  clientId: string;
  privateKey: CryptoKey | Uint8Array;
  algorithm: 'RS384' | 'ES384';
  keyId?: string;
  scope: string;
  /** Seconds before expiry a cached token is replaced (default 60, at most a tenth of its life). */
  refreshMarginSeconds?: number;
  now?: () => number;
}

export interface BearerSource {
  /** A valid access token (fetched or cached). */
  token(): Promise<string>;
  /** Forgets the cached token (after a 401). */
  invalidate(): void;
}

/** Reads a private key given as a JWK (JSON text) or a PKCS#8 PEM. */
export async function importPrivateKey(text: string, algorithm: 'RS384' | 'ES384'): Promise<CryptoKey> {
  const trimmed = text.trim();
  const key = trimmed.startsWith('{')
    ? await importJWK(JSON.parse(trimmed) as JWK, algorithm)
    : await importPKCS8(trimmed, algorithm);
  if (key instanceof Uint8Array) throw new Error('A symmetric key cannot sign a client assertion');
  return key;
}

export function createSmartAuth(options: SmartAuthOptions): BearerSource {
  const now = options.now ?? Date.now;
  const margin = (options.refreshMarginSeconds ?? 60) * 1000;
  let tokenEndpoint: string | null = null;
  let cached: { token: string; refreshAt: number } | null = null;
  let pending: Promise<string> | null = null;

  async function discover(): Promise<string> {
    if (tokenEndpoint) return tokenEndpoint;
    const url = new URL('.well-known/smart-configuration', withSlash(options.fhirBaseUrl)).href;
    const res = await options.http.request(url, { headers: { accept: 'application/json' } });
    const text = await res.text();
    if (res.status >= 500) throw new BulkTransientError(`smart-configuration: HTTP ${res.status}`);
    if (res.status !== 200) throw new BulkPermanentError(`smart-configuration: HTTP ${res.status}`);
    const endpoint = (JSON.parse(text) as { token_endpoint?: unknown }).token_endpoint;
    if (typeof endpoint !== 'string')
      throw new BulkPermanentError('smart-configuration has no token_endpoint');
    options.http.check(new URL(endpoint));
    tokenEndpoint = endpoint;
    return endpoint;
  }

  async function fetchToken(): Promise<string> {
    const endpoint = await discover();
    const issuedAt = Math.floor(now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({
        alg: options.algorithm,
        typ: 'JWT',
        ...(options.keyId ? { kid: options.keyId } : {}),
      })
      .setIssuer(options.clientId)
      .setSubject(options.clientId)
      .setAudience(endpoint)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 300)
      .sign(options.privateKey);
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: options.scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }).toString();
    const res = await options.http.request(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
    });
    const text = await res.text();
    if (res.status === 429 || res.status >= 500)
      throw new BulkTransientError(`token endpoint: HTTP ${res.status}`);
    if (res.status !== 200) {
      const error = safeJson(text)?.error;
      throw new BulkPermanentError(
        `token endpoint refused the client: HTTP ${res.status}${typeof error === 'string' ? ` ${error}` : ''}`,
      );
    }
    const json = safeJson(text);
    if (typeof json?.access_token !== 'string')
      throw new BulkPermanentError('token response has no access_token');
    const lifetime = typeof json.expires_in === 'number' ? json.expires_in : 300;
    cached = {
      token: json.access_token,
      refreshAt: now() + lifetime * 1000 - Math.min(margin, lifetime * 100),
    };
    return json.access_token;
  }

  return {
    async token() {
      if (cached && now() < cached.refreshAt) return cached.token;
      pending ??= fetchToken().finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate() {
      cached = null;
    },
  };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
