/**
 * Deterministic randomness for the generator. Every patient gets its own stream, seeded from
 * (seed, index) alone, so any patient can be produced without producing the ones before it.
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through
 * a murmur3 finaliser; ids are hashes of (seed, index, ordinal), never draws from a stream.
 */

/** `x` limited to [lo, hi]. */
export const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Hashes up to four 32-bit words into one; `salt` separates independent uses. */
export function hash32(a: number, b: number, c: number, salt: number): number {
  let h = fmix32(salt ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(a | 0, 0xcc9e2d51));
  h = fmix32(h ^ Math.imul(b | 0, 0x1b873593));
  return fmix32(h ^ Math.imul(c | 0, 0xe6546b64));
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(x: number): string {
  return HEX[x >>> 24]! + HEX[(x >>> 16) & 255]! + HEX[(x >>> 8) & 255]! + HEX[x & 255]!;
}

/**
 * A UUID-shaped id derived from (seed, patient index, resource ordinal): version nibble 8
 * ("custom", RFC 9562 §5.8) and the RFC variant bits, so it parses as a UUID but is reproducible.
 */
export function deterministicId(seed: number, index: number, ordinal: number): string {
  const a = hex32(hash32(seed, index, ordinal, 1));
  const b = hex32(hash32(seed, index, ordinal, 2));
  const c = hex32((hash32(seed, index, ordinal, 3) & 0x0fff3fff) | 0x80008000);
  const d = hex32(hash32(seed, index, ordinal, 4));
  return `${a}-${b.slice(0, 4)}-${c.slice(0, 4)}-${c.slice(4)}-${b.slice(4)}${d}`;
}

/** A seeded stream of uniform and derived draws. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  chance(p: number): boolean;
  /** Standard normal draw (Box–Muller). */
  normal(mean?: number, sd?: number): number;
  /** exp(N(ln median, sigma)): a lognormal with the given median. */
  lognormal(median: number, sigma: number): number;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight; `weights` need not sum to 1. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T;
}

/** The stream for one (seed, index, stream) triple. */
export function createRandom(seed: number, index: number, stream = 0): Random {
  let a = hash32(seed, index, stream, 11);
  let b = hash32(seed, index, stream, 12);
  let c = hash32(seed, index, stream, 13);
  let d = 1;
  let spare: number | null = null;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const normal = (mean = 0, sd = 1): number => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return mean + sd * z;
    }
    const u = 1 - next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    uniform: (min, max) => min + next() * (max - min),
    chance: (p) => next() < p,
    normal,
    lognormal: (median, sigma) => median * Math.exp(sigma * normal()),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    weighted(items, weights) {
      let total = 0;
      for (const w of weights) total += w;
      let r = next() * total;
      for (let i = 0; i < items.length; i++) {
        r -= weights[i]!;
        if (r < 0) return items[i]!;
      }
      return items[items.length - 1]!;
    },
  };
}
