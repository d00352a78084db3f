import { describe, expect, it } from 'vitest';
import { nextWaitSeconds, parseRetryAfter } from './wait-hint';

const bounds = { minWaitSeconds: 2, maxWaitSeconds: 120 };

describe('the wait before the next poll', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it('clamps the hint to the bounds and adds at most 10 % jitter', () => {
    expect(nextWaitSeconds(3600, 0, bounds, () => 0.99)).toBe(120);
    expect(nextWaitSeconds(0, 0, bounds, () => 0.5)).toBe(2);
    expect(nextWaitSeconds(10, 0, bounds, () => 0)).toBe(10);
    expect(nextWaitSeconds(10, 0, bounds, () => 0.99)).toBe(11);
  });

  it('backs off exponentially with full jitter after 429/503 without a hint', () => {
    expect(nextWaitSeconds(null, 5, bounds, () => 1)).toBe(32);
    expect(nextWaitSeconds(null, 10, bounds, () => 1)).toBe(120);
    expect(nextWaitSeconds(null, 5, bounds, () => 0)).toBe(2);
  });
});
