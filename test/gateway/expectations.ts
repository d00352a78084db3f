/**
 * Expected search results computed from the generator's raw resources in plain TypeScript —
 * independently of the serving SQL — following https://hl7.org/fhir/R4/search.html.
 */
import { normalizeForSearch } from '../../src/fhir/search-values';
import { pseudonym } from '../../src/pseudonyms';
import type { CohortResource, RawResource, TestWarehouse } from '../support/cohort';

type Json = Record<string, unknown>;

export function createExpectations(tw: TestWarehouse) {
  const token = (org: string, type: string, id: string) => pseudonym(tw.salt, org, type, id);
  const of = (type: string, org: string) => (tw.ndjson.get(type) ?? []).filter((r) => r.org === org);
  return {
    token,
    resources: of,
    /** The served ids of `type` in `org` whose raw resource satisfies `predicate`, sorted. */
    ids(type: string, org: string, predicate: (r: RawResource, org: string) => boolean): string[] {
      return of(type, org)
        .filter((r: CohortResource) => predicate(r.resource, r.org))
        .map((r) => token(org, type, r.resource.id))
        .sort();
    },
    /** The raw id a reference points at (`Patient/<id>` → `<id>`). */
    refId(ref: unknown): string | undefined {
      return String((ref as Json | undefined)?.reference ?? '').split('/')[1];
    },
  };
}

/** Name parts as the marts index them: family, given, prefix, suffix of every name. */
export function nameParts(p: RawResource, which: 'name' | 'family' | 'given'): string[] {
  const names = (p.name as Json[] | undefined) ?? [];
  const chosen =
    which === 'name' ? names : [names.find((n) => n.use === 'official') ?? names[0]].filter(Boolean);
  return chosen.flatMap((n) => {
    const n2 = n as Json;
    const family = n2.family ? [n2.family as string] : [];
    const given = (n2.given as string[] | undefined) ?? [];
    if (which === 'family') return family;
    if (which === 'given') return given;
    return [...family, ...given, ...((n2.prefix as string[]) ?? []), ...((n2.suffix as string[]) ?? [])];
  });
}

export const stringMatch = (parts: string[], needle: string, modifier?: 'exact' | 'contains'): boolean => {
  if (modifier === 'exact') return parts.includes(needle);
  const n = normalizeForSearch(needle);
  return parts.some((p) =>
    normalizeForSearch(p)
      .split(' ')
      .some((_w, i, ws) =>
        modifier === 'contains' ? normalizeForSearch(p).includes(n) : ws.slice(i).join(' ').startsWith(n),
      ),
  );
};

/** Every coding of a CodeableConcept (or list of them) as [system, code]. */
export function codings(cc: unknown): [string | undefined, string][] {
  const list = Array.isArray(cc) ? cc : cc ? [cc] : [];
  return list
    .flatMap((c) => ((c as Json).coding as Json[] | undefined) ?? [])
    .map((c) => [c.system as string | undefined, c.code as string]);
}

const DAY = 86_400_000;

/** The half-open range a partial FHIR date or dateTime denotes (epoch ms). */
export function implicitRange(value: string): [number, number] {
  if (/^\d{4}$/.test(value)) return [Date.UTC(+value, 0, 1), Date.UTC(+value + 1, 0, 1)];
  if (/^\d{4}-\d{2}$/.test(value)) {
    const [y, m] = value.split('-').map(Number) as [number, number];
    return [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)];
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`);
    return [start, start + DAY];
  }
  const t = Date.parse(value);
  return [t, t + 1000];
}

/**
 * Whether a target period `[lo, hi]` (closed; `hi` undefined = open-ended) matches `prefix` against a
 * parameter range `[start, end)`. See https://hl7.org/fhir/R4/search.html#prefix
 */
export function dateMatches(
  prefix: string,
  start: number,
  end: number,
  lo: number | undefined,
  hi: number | undefined,
): boolean {
  if (lo === undefined) return false;
  const top = hi ?? Number.POSITIVE_INFINITY;
  const contained = lo >= start && top < end;
  switch (prefix) {
    case 'eq':
      return contained;
    case 'ne':
      return !contained;
    case 'gt':
      return top >= end;
    case 'lt':
      return lo < start;
    case 'ge':
      return top >= end || contained;
    case 'le':
      return lo < start || contained;
    case 'sa':
      return lo >= end;
    case 'eb':
      return top < start;
    default:
      throw new Error(prefix);
  }
}

/** A date-only value as the closed period of its whole day. */
export const dayPeriod = (date: string | undefined): [number | undefined, number | undefined] => {
  if (!date) return [undefined, undefined];
  const lo = Date.parse(`${date}T00:00:00Z`);
  return [lo, lo + DAY - 1];
};
