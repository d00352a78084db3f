import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafeHttp, isPrivateAddress } from './safe-http';

let a: Server;
let b: Server;
let originA: string;
let originB: string;
const seen: { server: string; path: string; authorization?: string }[] = [];

const listen = async (name: string, redirectTo: () => string) => {
  const server = createServer((req, res) => {
    seen.push({ server: name, path: req.url ?? '', authorization: req.headers.authorization });
    if (req.url === '/hop') {
      res.writeHead(307, { location: `${redirectTo()}/end` });
      return res.end();
    }
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

beforeAll(async () => {
  ({ server: a, origin: originA } = await listen('a', () => originB));
  ({ server: b, origin: originB } = await listen('b', () => originA));
});
afterAll(() => {
  a.close();
  b.close();
});

const http = (allowed: string[], allowPrivateNetworks = true, requireHttps = false) =>
  createSafeHttp({ allowedOrigins: allowed, allowPrivateNetworks, requireHttps, timeoutMs: 5000 });

describe('the SSRF guard', () => {
  it('classifies private, loopback, link-local and mapped addresses as private, public ones as not', () => {
    for (const ip of [
      '10.1.2.3',
      '127.0.0.1',
      '169.254.169.254',
      '172.20.0.1',
      '192.168.1.1',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ]) {
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, true]);
    }
    for (const ip of ['8.8.8.8', '2606:4700::1111', '93.184.216.34'])
      expect([ip, isPrivateAddress(ip)]).toEqual([ip, false]);
  });

  it('refuses loopback unless private networks are allowed, before any request is sent', async () => {
    seen.length = 0;
    await expect(http([originA], false).request(`${originA}/x`)).rejects.toThrow(/private address/);
    await expect(http(['http://localhost:1'], false).request('http://localhost:1/x')).rejects.toThrow(
      /private address/,
    );
    expect(seen).toEqual([]);
  });

  it('refuses origins that are not allowlisted, http when https is required, and credentials in URLs', async () => {
    await expect(http([originA]).request(`${originB}/x`)).rejects.toThrow(/not allowlisted/);
    await expect(http([originA], true, true).request(`${originA}/x`)).rejects.toThrow(/https only/);
    await expect(http([originA]).request(`${originA.replace('//', '//u:p@')}/x`)).rejects.toThrow(
      /credentials/,
    );
  });

  it('checks every redirect target again', async () => {
    seen.length = 0;
    await expect(http([originA]).request(`${originA}/hop`)).rejects.toThrow(/not allowlisted/);
    expect(seen.map((s) => s.server)).toEqual(['a']);
  });

  it('drops the authorization header when a redirect leaves the credentials origin', async () => {
    seen.length = 0;
    const res = await http([originA, originB]).request(`${originA}/hop`, {
      headers: { authorization: 'Bearer secret' },
      credentialsOrigin: originA,
    });
    expect(await res.text()).toBe('ok');
    expect(seen).toEqual([
      { server: 'a', path: '/hop', authorization: 'Bearer secret' },
      { server: 'b', path: '/end', authorization: undefined },
    ]);
  });
});
