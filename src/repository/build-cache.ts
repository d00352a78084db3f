/**
 * An in-process cache keyed to the marts' data version (`api.build_info.build_id`). The build
 * id is re-read at most once per `checkIntervalMs` (one query shared by concurrent callers);
 * when it changes, or on `invalidate()` (after an in-process transform), every entry goes, and
 * answers started under an older build are never stored.
 */
import type { Warehouse } from '../warehouse';

export interface BuildCache {
  /** Makes sure entries belong to the current build; returns a generation to pass to `set`. */
  fresh(): Promise<number>;
  get<T>(key: string): T | undefined;
  has(key: string): boolean;
  /** Stores `value` unless the build changed since `generation` was obtained. */
  set(key: string, value: unknown, generation: number): void;
  /** Drops everything now and re-reads the build id on the next call. */
  invalidate(): void;
  readonly size: number;
}

export interface BuildCacheOptions {
  maxEntries?: number;
  checkIntervalMs?: number;
  now?: () => number;
}

export function createBuildCache(warehouse: Warehouse, options: BuildCacheOptions = {}): BuildCache {
  const maxEntries = options.maxEntries ?? 20_000;
  const interval = options.checkIntervalMs ?? 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, unknown>();
  let buildId: string | undefined;
  let generation = 0;
  let checkedAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<number> | undefined;

  const clear = () => {
    entries.clear();
    generation++;
  };

  const check = async (): Promise<number> => {
    const started = generation;
    const rows = await warehouse.query<{ build_id: string }>('select build_id from api.build_info');
    const id = rows[0]?.build_id ?? '';
    if (started !== generation) return generation;
    if (id !== buildId) {
      buildId = id;
      clear();
    }
    checkedAt = now();
    return generation;
  };

  return {
    fresh() {
      if (now() - checkedAt < interval) return Promise.resolve(generation);
      inflight ??= check().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    get<T>(key: string) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      entries.delete(key);
      entries.set(key, value);
      return value as T;
    },
    has: (key) => entries.has(key),
    set(key, value, gen) {
      if (gen !== generation || value === undefined) return;
      entries.set(key, value);
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    invalidate() {
      clear();
      buildId = undefined;
      checkedAt = Number.NEGATIVE_INFINITY;
    },
    get size() {
      return entries.size;
    },
  };
}
