import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { badRequest } from '../fhir/operation-outcome';
import { onOutcomeError } from './outcome-response';
import { API_CSP, PAGE_CSP, securityHeaders } from './security-headers';

function app(options?: Parameters<typeof securityHeaders>[0]) {
  const a = new Hono();
  a.onError(onOutcomeError);
  a.use(securityHeaders(options));
  a.get('/api', (c) => c.json({ resourceType: 'Patient' }));
  a.get('/cached', (c) => c.json({}, 200, { 'Cache-Control': 'public, max-age=60' }));
  a.get('/page', (c) => c.html('<!doctype html><p>GraphiQL</p>'));
  a.get('/fail', () => {
    throw badRequest('nope');
  });
  return a;
}

const common = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const pick = (res: Response, names: string[]) =>
  Object.fromEntries(names.map((n) => [n, res.headers.get(n)]));

describe('securityHeaders', () => {
  it('gives API answers the strict CSP and no-store', async () => {
    const res = await app().request('/api');
    expect(pick(res, [...Object.keys(common), 'content-security-policy', 'cache-control'])).toEqual({
      ...common,
      'content-security-policy': API_CSP,
      'cache-control': 'no-store',
    });
    expect(API_CSP).toContain("default-src 'none'");
  });

  it('covers error answers produced by the error handler too', async () => {
    const res = await app().request('/fail');
    expect(res.status).toBe(400);
    expect(pick(res, ['x-content-type-options', 'content-security-policy', 'cache-control'])).toEqual({
      'x-content-type-options': 'nosniff',
      'content-security-policy': API_CSP,
      'cache-control': 'no-store',
    });
  });

  it('keeps a caching policy the handler chose', async () => {
    const res = await app().request('/cached');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
  });

  it('gives HTML pages a self-only CSP that names no other origin', async () => {
    const res = await app().request('/page');
    expect(res.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(PAGE_CSP).not.toMatch(/https?:|\*/);
    expect(PAGE_CSP).toContain("default-src 'self'");
    expect(res.headers.get('cache-control')).toBeNull();
  });

  it('can leave HSTS off', async () => {
    const res = await app({ hsts: false }).request('/api');
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});
