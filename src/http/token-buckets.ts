/** The verdict on one request: allowed, or how long until a token is available. */
export interface TakeResult {
  allowed: boolean;
  /** Whole seconds until the next token (0 when allowed). */
  retryAfterSeconds: number;
}

export interface TokenBucketsOptions {
  /** Burst size: tokens a bucket holds when full. */
  capacity: number;
  /** Sustained rate: tokens added per second. */
  refillPerSecond: number;
  /** Most buckets kept; the least recently used are dropped beyond it (default 10,000). */
  maxBuckets?: number;
  /** Milliseconds since the epoch (injectable for tests). */
  now?: () => number;
}

export interface TokenBuckets {
  /** Takes one token from `key`'s bucket. */
  take(key: string): TakeResult;
  /** Buckets currently held in memory. */
  size(): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets keyed by caller, in bounded memory. The map is kept in least-recently-used
 * order; a bucket idle long enough to have refilled is indistinguishable from a new one, so
 * those are swept from the old end, and beyond `maxBuckets` the oldest are dropped.
 * See: https://en.wikipedia.org/wiki/Token_bucket
 */
export function createTokenBuckets(options: TokenBucketsOptions): TokenBuckets {
  const { capacity, refillPerSecond } = options;
  const maxBuckets = options.maxBuckets ?? 10_000;
  const now = options.now ?? Date.now;
  const refillMs = (capacity / refillPerSecond) * 1000;
  const buckets = new Map<string, Bucket>();

  function sweep(t: number): void {
    for (const [key, bucket] of buckets) {
      if (buckets.size <= maxBuckets && t - bucket.at < refillMs) break;
      buckets.delete(key);
    }
  }

  return {
    take(key) {
      const t = now();
      const previous = buckets.get(key);
      buckets.delete(key);
      const tokens = previous
        ? Math.min(capacity, previous.tokens + ((t - previous.at) / 1000) * refillPerSecond)
        : capacity;
      const allowed = tokens >= 1;
      buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, at: t });
      sweep(t);
      return {
        allowed,
        retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil((1 - tokens) / refillPerSecond)),
      };
    },
    size: () => buckets.size,
  };
}
