/**
 * Turns FHIR search parameters (`name[:modifier]=value[,value]`, repeated = AND, comma = OR)
 * into a typed `SearchRequest`, driven by the type's definition (`resolvers/<type>.ts`).
 * See: https://hl7.org/fhir/R4/search.html
 */
import { createHash } from 'node:crypto';
import { badRequest } from './operation-outcome';
import type { ResourceSearchDef, ResourceType, SearchParamDef } from './search-parameters';
import {
  type DateValue,
  parseDateValue,
  parseQuantityValue,
  parseReferenceValue,
  parseTokenValue,
  type QuantityValue,
  splitOr,
  type TokenValue,
} from './search-values';

export type ClauseValue =
  | { kind: 'token'; token: TokenValue }
  | { kind: 'string'; text: string }
  | { kind: 'date'; date: DateValue }
  | { kind: 'reference'; id: string }
  | { kind: 'quantity'; quantity: QuantityValue }
  /** `:missing=true|false`. */
  | { kind: 'missing'; missing: boolean };

/** One parameter occurrence: its values are ORed; clauses are ANDed. */
export interface SearchClause {
  param: SearchParamDef;
  modifier?: string;
  values: ClauseValue[];
}

export interface SortKey {
  name: string;
  descending: boolean;
}

export interface SearchRequest {
  type: ResourceType;
  clauses: SearchClause[];
  sort: SortKey[];
  count: number;
  total: 'none' | 'accurate';
  summaryCount: boolean;
  cursor?: string;
  /** The parameters the server used, in request order (unknown ones left out), for the `self` link. */
  recognized: [string, string][];
  /** A digest of everything that selects and orders rows (not the page size): cursors are bound to it. */
  queryKey: string;
}

export const DEFAULT_COUNT = 50;
export const MAX_COUNT = 1000;

export interface ParseOptions {
  /** `Prefer: handling=strict`: unknown parameters are an error instead of being ignored. */
  strict?: boolean;
}

/** Parses a search by the type's definition; throws `badRequest` (400) for invalid input. */
export function parseSearchRequest(
  def: ResourceSearchDef,
  params: readonly (readonly [string, string])[],
  options: ParseOptions = {},
): SearchRequest {
  const type = def.type;
  const request: SearchRequest = {
    type,
    clauses: [],
    sort: [],
    count: DEFAULT_COUNT,
    total: 'none',
    summaryCount: false,
    recognized: [],
    queryKey: '',
  };
  for (const [rawName, value] of params) {
    const [name = '', modifier] = rawName.split(':', 2);
    if (name.startsWith('_') && !def.params.some((p) => p.name === name)) {
      if (applyControl(def, request, name, value, options)) request.recognized.push([rawName, value]);
      continue;
    }
    const param = def.params.find((p) => p.name === name);
    if (!param) {
      if (options.strict) throw badRequest(`Unknown search parameter '${name}' for ${type}`, [name]);
      continue;
    }
    if (value === '') continue;
    request.clauses.push(parseClause(param, modifier, value));
    request.recognized.push([rawName, value]);
  }
  if (!request.sort.some((s) => s.name === '_id')) {
    request.sort.push({ name: '_id', descending: false });
  }
  const order = request.sort.map((k) => `${k.descending ? '-' : ''}${k.name}`);
  request.queryKey = digest([type, order, ...request.recognized.filter(([n]) => !NOT_IN_KEY.has(n)).sort()]);
  return request;
}

const NOT_IN_KEY = new Set(['_count', '_cursor', '_total', '_summary', '_format', '_sort']);

function applyControl(
  def: ResourceSearchDef,
  request: SearchRequest,
  name: string,
  value: string,
  options: ParseOptions,
): boolean {
  switch (name) {
    case '_count': {
      if (!/^\d+$/.test(value)) throw badRequest(`_count must be a non-negative integer`, ['_count']);
      request.count = Math.min(Number(value), MAX_COUNT);
      // See: https://hl7.org/fhir/R4/search.html#count — `_count=0` is treated as `_summary=count`.
      if (request.count === 0) request.summaryCount = true;
      return true;
    }
    case '_sort':
      request.sort = parseSort(def, value);
      return true;
    case '_total':
      if (value === 'none') request.total = 'none';
      else if (value === 'accurate' || value === 'estimate') request.total = 'accurate';
      else throw badRequest(`_total must be none, estimate or accurate`, ['_total']);
      return true;
    case '_summary':
      if (value === 'count') request.summaryCount = true;
      else if (value !== 'false') throw badRequest(`_summary=${value} is not supported (count, false)`);
      return true;
    case '_cursor':
      request.cursor = value;
      return false;
    case '_format':
      return false;
    default:
      if (options.strict) throw badRequest(`Unknown search parameter '${name}'`, [name]);
      return false;
  }
}

function parseSort(def: ResourceSearchDef, value: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const raw of value.split(',')) {
    const descending = raw.startsWith('-');
    const name = descending ? raw.slice(1) : raw;
    if (!def.sorts.includes(name)) {
      throw badRequest(`Cannot sort ${def.type} by '${name}' (allowed: ${def.sorts.join(', ')})`, ['_sort']);
    }
    if (!keys.some((k) => k.name === name)) keys.push({ name, descending });
  }
  return keys;
}

/**
 * The modifiers `param` accepts: its own, `:missing` on every parameter and `:not` on tokens.
 * See: https://hl7.org/fhir/R4/search.html#modifiers
 */
export function modifiersOf(param: SearchParamDef): string[] {
  return [...(param.modifiers ?? []), ...(param.type === 'token' ? ['not'] : []), 'missing'];
}

function parseClause(param: SearchParamDef, modifier: string | undefined, raw: string): SearchClause {
  const typeModifier = param.targetType !== undefined && modifier === param.targetType;
  if (modifier !== undefined && !typeModifier && !modifiersOf(param).includes(modifier)) {
    throw badRequest(`Modifier ':${modifier}' is not supported on '${param.name}'`, [param.name]);
  }
  const clause: SearchClause = { param, values: [] };
  if (modifier !== undefined && !typeModifier) clause.modifier = modifier;
  for (const part of splitOr(raw)) {
    if (part === '') continue;
    clause.values.push(modifier === 'missing' ? parseMissing(param, part) : parseValue(param, part));
  }
  if (!clause.values.length) throw badRequest(`'${param.name}' needs a value`, [param.name]);
  return clause;
}

function parseMissing(param: SearchParamDef, raw: string): ClauseValue {
  if (raw !== 'true' && raw !== 'false')
    throw badRequest(`'${param.name}:missing' is true or false`, [param.name]);
  return { kind: 'missing', missing: raw === 'true' };
}

function parseValue(param: SearchParamDef, raw: string): ClauseValue {
  const invalid = () => badRequest(`Invalid value for '${param.name}'`, [param.name]);
  switch (param.type) {
    case 'string':
      return { kind: 'string', text: raw.replace(/\\([\\|$])/g, '$1') };
    case 'token': {
      const token = parseTokenValue(raw);
      if (param.name === '_id' && (token.system !== undefined || !token.code)) throw invalid();
      return { kind: 'token', token };
    }
    case 'date': {
      if (raw.startsWith('ap')) {
        throw badRequest(`The 'ap' prefix is not supported on '${param.name}'`, [param.name]);
      }
      const date = parseDateValue(raw);
      if (!date) throw invalid();
      return { kind: 'date', date };
    }
    case 'reference': {
      const ref = parseReferenceValue(raw);
      if (!ref || (ref.type && ref.type !== param.targetType)) throw invalid();
      return { kind: 'reference', id: ref.id };
    }
    case 'quantity': {
      const quantity = parseQuantityValue(raw);
      if (!quantity) throw invalid();
      return { kind: 'quantity', quantity };
    }
  }
}

function digest(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}
