import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { onOutcomeError } from './outcome-response';
import { rateLimit } from './rate-limit';
import { createTokenBuckets } from './token-buckets';

function clock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** A tiny app whose "auth" puts the organization named by a test header into the context. */
function app(now: () => number) {
  const a = new Hono();
  a.onError(onOutcomeError);
  a.use(async (c, next) => {
    const org = c.req.header('x-test-org');
    if (org) c.set('ctx' as never, { principal: { organizationId: org } } as never);
    await next();
  });
  a.use(rateLimit({ capacity: 2, refillPerSecond: 1, now, clientIp: (c) => c.req.header('x-test-ip') }));
  a.get('/', (c) => c.text('ok'));
  return a;
}

const get = (a: Hono, headers: Record<string, string>) => a.request('/', { headers });

describe('rateLimit', () => {
  it('allows a burst of capacity, then answers 429 with Retry-After and an OperationOutcome', async () => {
    const t = clock();
    const a = app(t.now);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(a, { 'x-test-org': 'org-a' })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const res = await get(a, { 'x-test-org': 'org-a' });
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'throttled', diagnostics: 'Rate limit exceeded' }],
    });
  });

  it('refills over time on the injected clock', async () => {
    const t = clock();
    const a = app(t.now);
    await get(a, { 'x-test-org': 'org-a' });
    await get(a, { 'x-test-org': 'org-a' });
    expect((await get(a, { 'x-test-org': 'org-a' })).status).toBe(429);
    t.advance(1000);
    expect((await get(a, { 'x-test-org': 'org-a' })).status).toBe(200);
  });

  it('keeps one bucket per organization, whatever the client address', async () => {
    const a = app(clock().now);
    await get(a, { 'x-test-org': 'org-a', 'x-test-ip': '10.0.0.1' });
    await get(a, { 'x-test-org': 'org-a', 'x-test-ip': '10.0.0.2' });
    expect((await get(a, { 'x-test-org': 'org-a', 'x-test-ip': '10.0.0.3' })).status).toBe(429);
    expect((await get(a, { 'x-test-org': 'org-b', 'x-test-ip': '10.0.0.3' })).status).toBe(200);
  });

  it('falls back to the client address for unauthenticated requests', async () => {
    const a = app(clock().now);
    await get(a, { 'x-test-ip': '10.0.0.1' });
    await get(a, { 'x-test-ip': '10.0.0.1' });
    expect((await get(a, { 'x-test-ip': '10.0.0.1' })).status).toBe(429);
    expect((await get(a, { 'x-test-ip': '10.0.0.2' })).status).toBe(200);
    expect((await get(a, { 'x-test-org': 'org-a', 'x-test-ip': '10.0.0.1' })).status).toBe(200);
  });
});

describe('createTokenBuckets', () => {
  it('reports how many whole seconds until the next token', () => {
    const t = clock();
    const buckets = createTokenBuckets({ capacity: 1, refillPerSecond: 0.25, now: t.now });
    expect(buckets.take('k')).toEqual({ allowed: true, retryAfterSeconds: 0 });
    t.advance(1000);
    expect(buckets.take('k')).toEqual({ allowed: false, retryAfterSeconds: 3 });
  });

  it('evicts idle buckets once they have refilled, so memory follows active callers only', () => {
    const t = clock();
    const buckets = createTokenBuckets({ capacity: 10, refillPerSecond: 10, now: t.now });
    for (let i = 0; i < 1000; i++) buckets.take(`caller-${i}`);
    expect(buckets.size()).toBe(1000);
    t.advance(1000);
    buckets.take('someone-new');
    expect(buckets.size()).toBe(1);
  });

  it('never holds more than maxBuckets, dropping the least recently used', () => {
    const t = clock();
    const buckets = createTokenBuckets({ capacity: 1, refillPerSecond: 0.001, maxBuckets: 100, now: t.now });
    buckets.take('busy');
    for (let i = 0; i < 10_000; i++) {
      buckets.take(`caller-${i}`);
      if (i % 50 === 0) buckets.take('busy');
    }
    expect(buckets.size()).toBe(100);
    expect(buckets.take('busy').allowed).toBe(false);
  });
});
