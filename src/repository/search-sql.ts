/**
 * Compiles a parsed `SearchRequest` into portable SQL (DuckDB and Snowflake): positional `?`
 * binds, `position(? in col)`, `cast(? as …)`, `nulls last` written out. No DuckDB-only functions.
 * Column encodings follow dbt/API_MARTS.md; date and quantity semantics follow
 * https://hl7.org/fhir/R4/search.html#date and #quantity.
 */
import type { ResourceType } from '../fhir/search-parameters';
import type { ClauseValue, SearchClause, SortKey } from '../fhir/search-request';
import type { DateValue, QuantityValue, TokenValue } from '../fhir/search-values';
import { normalizeForSearch } from '../fhir/search-values';
import { pseudonym } from '../pseudonyms';
import type { SqlDialect, SqlValue } from '../warehouse';
import type { CursorPosition } from './cursor';
import { type SearchTarget, type SqlCast, sortColumnOf, targetOf } from './marts';

export interface Fragment {
  sql: string;
  params: SqlValue[];
}

export interface CompileScope {
  organizationId: string;
  salt: string;
}

const NONE: Fragment = { sql: '1 = 0', params: [] };
const f = (sql: string, ...params: SqlValue[]): Fragment => ({ sql, params });
const join = (parts: Fragment[], op: 'and' | 'or'): Fragment =>
  parts.length === 1
    ? parts[0]!
    : { sql: `(${parts.map((p) => p.sql).join(` ${op} `)})`, params: parts.flatMap((p) => p.params) };

/** The `where` conditions (after the organization bind) for all clauses, ANDed. */
export function compileClauses(
  type: ResourceType,
  clauses: readonly SearchClause[],
  scope: CompileScope,
): Fragment {
  if (!clauses.length) return f('1 = 1');
  return join(
    clauses.map((c) => compileClause(targetOf(type, c.param.name), c, scope)),
    'and',
  );
}

/** The values ORed; `:not` matches every row the values do not, rows without a value included. */
function compileClause(t: SearchTarget, clause: SearchClause, scope: CompileScope): Fragment {
  const any = join(
    clause.values.map((v) => compileValue(t, clause, v, scope)),
    'or',
  );
  return clause.modifier === 'not' ? { sql: `not coalesce(${any.sql}, false)`, params: any.params } : any;
}

function compileValue(
  t: SearchTarget,
  clause: SearchClause,
  value: ClauseValue,
  scope: CompileScope,
): Fragment {
  switch (value.kind) {
    case 'token':
      return compileToken(t, value.token, scope);
    case 'string':
      return t.kind === 'name' ? compileName(t.part, clause.modifier, value.text) : NONE;
    case 'date':
      return t.kind === 'date' ? compileDate(t, value.date) : NONE;
    case 'reference':
      return t.kind === 'reference' ? f(`${t.column} = ?`, value.id) : NONE;
    case 'quantity':
      return compileQuantity(value.quantity);
    case 'missing': {
      const present = compilePresent(t);
      return value.missing ? { sql: `not (${present.sql})`, params: present.params } : present;
    }
  }
}

/** Whether the row has a value for the target. See: https://hl7.org/fhir/R4/search.html#missing */
function compilePresent(t: SearchTarget): Fragment {
  const filled = (column: string) => f(`coalesce(trim(${column}), '') <> ''`);
  switch (t.kind) {
    case 'id':
      return f('1 = 1');
    case 'name':
      return filled(`${t.part}_search`);
    case 'code':
    case 'tokens':
    case 'identifier':
      return filled(t.column);
    case 'reference':
      return f(`${t.column} is not null`);
    case 'date':
      return f(`${t.lo} is not null`);
    case 'quantity':
      return f('value_quantity is not null');
  }
}

function compileToken(t: SearchTarget, token: TokenValue, scope: CompileScope): Fragment {
  const { system, code } = token;
  switch (t.kind) {
    case 'id':
      return f('id = ?', code ?? '');
    case 'code':
      if (system === undefined) return f(`${t.column} = ?`, code ?? '');
      if (system !== t.system) return NONE;
      return code === undefined ? f(`${t.column} is not null`) : f(`${t.column} = ?`, code);
    case 'tokens':
      return compileTokens(t.column, system, code);
    case 'identifier':
      return compileTokens(
        t.column,
        system,
        code === undefined ? undefined : pseudonym(scope.salt, scope.organizationId, 'Identifier', code),
      );
    default:
      return NONE;
  }
}

/** A ` system|code system|code ` column (dbt/API_MARTS.md, "Search normalization"). */
function compileTokens(column: string, system: string | undefined, code: string | undefined): Fragment {
  if (system === undefined) return f(`position('|' || ? || ' ' in ${column}) > 0`, code ?? '');
  if (code === undefined) return f(`position(' ' || ? || '|' in ${column}) > 0`, system);
  if (system === '') return f(`position(' |' || ? || ' ' in ${column}) > 0`, code);
  return f(`position(' ' || ? || ' ' in ${column}) > 0`, `${system}|${code}`);
}

/** Prefix by default, `:contains` anywhere, `:exact` a whole part as written. */
function compileName(part: string, modifier: string | undefined, text: string): Fragment {
  if (modifier === 'exact') {
    return text.includes('|') ? NONE : f(`position('|' || ? || '|' in ${part}_exact) > 0`, text);
  }
  const needle = normalizeForSearch(text.trim());
  if (!needle) return NONE;
  if (modifier === 'contains') return f(`position(? in ${part}_search) > 0`, needle);
  return f(`position(' ' || ? in ${part}_search) > 0`, needle);
}

type DateTarget = Extract<SearchTarget, { kind: 'date' }>;

/**
 * The target is the closed period `[lo, hi]` (a date column covers its whole day; an open
 * period has no `hi`), the parameter the half-open range `[start, end)` its precision implies.
 */
function compileDate(t: DateTarget, d: DateValue): Fragment {
  const lo = t.lo;
  const hi = t.hi === t.lo ? t.lo : t.openEnded ? t.hi : `coalesce(${t.hi}, ${t.lo})`;
  const bound = (ms: number, side: 'lo' | 'hi') =>
    t.cast === 'timestamp' ? toTimestamp(ms) : side === 'lo' ? ceilDay(ms) : floorDay(ms);
  const cast = `cast(? as ${t.cast})`;
  const loGe = (ms: number) => f(`${lo} >= ${cast}`, bound(ms, 'lo'));
  const loLt = (ms: number) => f(`${lo} < ${cast}`, bound(ms, 'lo'));
  const hiGe = (ms: number) =>
    t.openEnded
      ? f(`(${hi} is null or ${hi} >= ${cast})`, bound(ms, 'hi'))
      : f(`${hi} >= ${cast}`, bound(ms, 'hi'));
  const hiLt = (ms: number) => f(`${hi} < ${cast}`, bound(ms, 'hi'));
  const eq = () => join([loGe(d.start), hiLt(d.end)], 'and');
  switch (d.prefix) {
    case 'eq':
      return eq();
    case 'ne': {
      const e = eq();
      return { sql: `(${lo} is not null and not coalesce(${e.sql}, false))`, params: e.params };
    }
    case 'gt':
      return hiGe(d.end);
    case 'lt':
      return loLt(d.start);
    case 'ge':
      return join([hiGe(d.end), eq()], 'or');
    case 'le':
      return join([loLt(d.start), eq()], 'or');
    case 'sa':
      return loGe(d.end);
    case 'eb':
      return hiLt(d.start);
  }
}

function compileQuantity(q: QuantityValue): Fragment {
  const v = 'value_quantity';
  const num = 'cast(? as double)';
  const spread = Math.abs(q.value) * 0.1;
  const eq = f(`(${v} >= ${num} and ${v} < ${num})`, q.low, q.high);
  const cmp: Record<QuantityValue['prefix'], Fragment> = {
    eq,
    ne: { sql: `(${v} is not null and not ${eq.sql})`, params: eq.params },
    gt: f(`${v} > ${num}`, q.value),
    sa: f(`${v} > ${num}`, q.value),
    lt: f(`${v} < ${num}`, q.value),
    eb: f(`${v} < ${num}`, q.value),
    ge: f(`${v} >= ${num}`, q.value),
    le: f(`${v} <= ${num}`, q.value),
    ap: f(`(${v} >= ${num} and ${v} <= ${num})`, q.value - spread, q.value + spread),
  };
  const parts = [cmp[q.prefix]];
  if (q.system !== undefined) parts.push(f('value_system = ?', q.system));
  if (q.code !== undefined) {
    parts.push(
      q.system !== undefined
        ? f('value_code = ?', q.code)
        : f('(value_code = ? or value_unit = ?)', q.code, q.code),
    );
  }
  return join(parts, 'and');
}

/** `order by` for the sort keys; nulls always last so keyset predicates can match. */
export function compileOrder(type: ResourceType, sort: readonly SortKey[]): string {
  return sort
    .map((k) => `${sortColumnOf(type, k.name).column} ${k.descending ? 'desc' : 'asc'} nulls last`)
    .join(', ');
}

/** Rows strictly after `position` in the order of `sort` (lexicographic, nulls last). */
export function compileKeyset(
  type: ResourceType,
  sort: readonly SortKey[],
  position: CursorPosition,
): Fragment {
  let tail: Fragment | undefined;
  for (let i = sort.length - 1; i >= 0; i--) {
    const key = sort[i]!;
    const sorted = sortColumnOf(type, key.name);
    const col = sorted.column;
    const value = toBind(position.values[i] ?? null, sorted.cast);
    const cast = castBind(sorted.cast);
    const after =
      value === null ? NONE : f(`(${col} ${key.descending ? '<' : '>'} ${cast} or ${col} is null)`, value);
    if (!tail) {
      tail = after;
      continue;
    }
    const equal = value === null ? f(`${col} is null`) : f(`${col} = ${cast}`, value);
    tail = join([after, join([equal, tail], 'and')], 'or');
  }
  return tail ?? f('1 = 1');
}

/**
 * The sort keys' values, selected as `s0, s1, …` for cursors. Timestamps travel as text with
 * every fractional digit: rounded to the millisecond of a JS `Date`, a row would compare after
 * its own position and paging would repeat it forever.
 */
export function sortColumns(type: ResourceType, sort: readonly SortKey[], dialect: SqlDialect): string {
  return sort
    .map((k, i) => {
      const { column: col, cast } = sortColumnOf(type, k.name);
      if (cast !== 'timestamp') return `${col} as s${i}`;
      return dialect === 'snowflake'
        ? `to_char(${col}, 'YYYY-MM-DD HH24:MI:SS.FF9') as s${i}`
        : `cast(${col} as varchar) as s${i}`;
    })
    .join(', ');
}

function castBind(cast: SqlCast): string {
  return cast === 'varchar' ? '?' : `cast(? as ${cast})`;
}

function toBind(value: SqlValue, cast: SqlCast): SqlValue {
  if (value === null || cast !== 'timestamp' || typeof value !== 'string') return value;
  return value.replace('T', ' ').replace(/Z$/, '');
}

function toTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

const DAY = 86_400_000;
function floorDay(ms: number): string {
  return new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 10);
}
function ceilDay(ms: number): string {
  return new Date(Math.ceil(ms / DAY) * DAY).toISOString().slice(0, 10);
}

/** Placeholders for an `in (…)` list. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}
