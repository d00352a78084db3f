/**
 * Parsing of single FHIR search values: prefixes, partial dates and their implicit ranges,
 * tokens, references and quantities.
 * See: https://hl7.org/fhir/R4/search.html#prefix, #date, #token, #reference, #quantity
 */
export const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'] as const;
export type Prefix = (typeof PREFIXES)[number];

/** A date parameter: the half-open instant range `[start, end)` (epoch ms, UTC) its precision implies. */
export interface DateValue {
  prefix: Exclude<Prefix, 'ap'>;
  start: number;
  end: number;
}

export interface TokenValue {
  /** `undefined` when no `|` was given (any system); `''` for `|code` (no system). */
  system?: string;
  /** `undefined` for `system|` (any code in the system). */
  code?: string;
}

export interface QuantityValue {
  prefix: Prefix;
  value: number;
  /** The implicit range of `value` given its significant digits (for `eq`/`ne`). */
  low: number;
  high: number;
  system?: string;
  code?: string;
}

const DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+ -]\d{2}:\d{2})?)?)?)?$/;

function splitPrefix(raw: string): [Prefix | undefined, string] {
  const p = raw.slice(0, 2) as Prefix;
  return PREFIXES.includes(p) && /^[a-z]{2}[\d\-+.]/.test(raw) ? [p, raw.slice(2)] : [undefined, raw];
}

/** Parses `[prefix]YYYY[-MM[-DD[Thh:mm[:ss[.fff]][tz]]]]`; null when malformed. */
export function parseDateValue(raw: string): DateValue | null {
  const [prefix = 'eq', rest] = splitPrefix(raw);
  if (prefix === 'ap') return null;
  const m = DATE.exec(rest);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  if (month > 11 || day < 1 || day > 31) return null;
  const offsetMs = tz && tz !== 'Z' ? offsetToMs(tz) : 0;
  const base = Date.UTC(year, month, day, Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0));
  if (
    new Date(base).getUTCDate() !== day ||
    Number(h ?? 0) > 23 ||
    Number(mi ?? 0) > 59 ||
    Number(s ?? 0) > 59
  )
    return null;
  if (Number.isNaN(offsetMs)) return null;
  const start = base + (frac ? Math.round(Number(frac) * 1000) : 0) - offsetMs;
  let end: number;
  if (!mo) end = Date.UTC(year + 1, 0, 1);
  else if (!d) end = Date.UTC(year, month + 1, 1);
  else if (!h) end = Date.UTC(year, month, day + 1);
  else if (!s) end = start + 60_000;
  else end = start + (frac ? 10 ** (3 - Math.min(3, frac.length - 1)) : 1000);
  return { prefix, start, end };
}

function offsetToMs(tz: string): number {
  const sign = tz.startsWith('-') ? -1 : 1;
  const [hh, mm] = tz.slice(1).split(':').map(Number) as [number, number];
  if (hh > 14 || mm > 59) return Number.NaN;
  return sign * (hh * 60 + mm) * 60_000;
}

/** Splits a token `system|code` at the first unescaped `|`. */
export function parseTokenValue(raw: string): TokenValue {
  const parts = splitEscaped(raw, '|');
  if (parts.length === 1) return { code: parts[0] };
  const [system = '', ...code] = parts;
  const c = code.join('|');
  return c === '' ? { system } : { system, code: c };
}

/** A reference value: `id`, `Type/id` or an absolute URL ending in `Type/id`. Null when malformed. */
export function parseReferenceValue(raw: string): { type?: string; id: string } | null {
  const m = /^(?:.*\/)?(?:([A-Z][A-Za-z]+)\/)?([A-Za-z0-9\-.]{1,64})$/.exec(raw);
  if (!m) return null;
  return m[1] ? { type: m[1], id: m[2]! } : { id: m[2]! };
}

/** Parses `[prefix]number[|system|code]`; null when malformed. */
export function parseQuantityValue(raw: string): QuantityValue | null {
  const [first = '', system, ...code] = splitEscaped(raw, '|');
  const [prefix = 'eq', num] = splitPrefix(first);
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(num)) return null;
  const value = Number(num);
  if (!Number.isFinite(value)) return null;
  const half = implicitHalfStep(num);
  const q: QuantityValue = { prefix, value, low: value - half, high: value + half };
  if (system !== undefined && system !== '') q.system = system;
  const c = code.join('|');
  if (c !== '') q.code = c;
  return q;
}

/** Half the unit of the last significant digit: `5.4` → 0.05, `100` → 0.5, `1e2` → 50. */
function implicitHalfStep(num: string): number {
  const [mantissa = '', exp = '0'] = num.replace(/^[-+]/, '').toLowerCase().split('e');
  const decimals = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0;
  return 0.5 * 10 ** (Number(exp) - decimals);
}

/** Splits on `sep` unless escaped with `\` (FHIR escapes `\,`, `\|`, `\$`, `\\`). */
export function splitEscaped(raw: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1]!;
      cur += next === ',' || next === '|' || next === '$' || next === '\\' ? next : ch + next;
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Splits a parameter value on unescaped commas (OR), keeping other escapes for the next split. */
export function splitOr(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length) {
      cur += raw[i + 1] === ',' ? ',' : ch + raw[i + 1];
      i++;
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Lower-case, accents stripped: how FHIR compares string search values (and the form of the marts'
 * `*_search` columns). See: https://hl7.org/fhir/R4/search.html#string
 */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
