import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportPKCS8, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafeHttp } from './safe-http';
import { createSmartAuth, importPrivateKey } from './smart-auth';

let server: Server;
let origin: string;
const assertions: string[] = [];
let issued = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/fhir/.well-known/smart-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ token_endpoint: `${origin}/token` }));
    }
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      assertions.push(form.get('client_assertion') ?? '');
      issued += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: `t${issued}`, expires_in: 300, token_type: 'bearer' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('SMART Backend Services', () => {
  it('signs an RS384 private_key_jwt assertion for the discovered token endpoint, caches the token and refreshes it near expiry', async () => {
    const { privateKey } = await generateKeyPair('RS384', { extractable: true });
    const key = await importPrivateKey(await exportPKCS8(privateKey), 'RS384');
    let now = Date.parse('2026-01-01T00:00:00Z');
    const auth = createSmartAuth({
      http: createSafeHttp({
        allowedOrigins: [origin],
        allowPrivateNetworks: true,
        requireHttps: false,
        timeoutMs: 5000,
      }),
      fhirBaseUrl: `${origin}/fhir`,
      clientId: 'client-1',
      privateKey: key,
      algorithm: 'RS384',
      keyId: 'k1',
      scope: 'system/*.rs',
      now: () => now,
    });
    expect(await auth.token()).toBe('t1');
    expect(await auth.token()).toBe('t1');
    now += 280_000; // past 300 s less the refresh margin (a tenth of the life, 30 s)
    expect(await auth.token()).toBe('t2');
    auth.invalidate();
    expect(await auth.token()).toBe('t3');
    const claims = assertions.map((a) => decodeJwt(a));
    expect(decodeProtectedHeader(assertions[0]!)).toEqual({ alg: 'RS384', typ: 'JWT', kid: 'k1' });
    expect(claims[0]).toMatchObject({ iss: 'client-1', sub: 'client-1', aud: `${origin}/token` });
    expect(claims.every((c) => c.exp! - c.iat! <= 300)).toBe(true);
    expect(new Set(claims.map((c) => c.jti)).size).toBe(3);
  });
});
