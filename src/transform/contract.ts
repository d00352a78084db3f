/**
 * Model contracts: the columns a model's query produces, compared with its yml (names,
 * order-insensitive, and `data_type`s up to synonyms). Any missing, extra or mistyped
 * column fails the model with one message naming each difference.
 * See: https://docs.getdbt.com/reference/resource-configs/contract
 */
import type { ColumnProperties } from './project';

const SYNONYMS: [string, string[]][] = [
  ['varchar', ['varchar', 'text', 'string', 'character varying', 'char', 'character', 'bpchar', 'nvarchar']],
  ['double', ['double', 'float8', 'float', 'double precision', 'float64']],
  ['real', ['real', 'float4']],
  ['timestamp', ['timestamp', 'timestamp without time zone', 'timestamp_ntz', 'datetime']],
  ['timestamptz', ['timestamptz', 'timestamp with time zone', 'timestamp_tz', 'timestamp_ltz']],
  ['integer', ['integer', 'int', 'int4', 'signed', 'int32']],
  ['bigint', ['bigint', 'int8', 'long', 'int64']],
  ['smallint', ['smallint', 'int2', 'short']],
  ['boolean', ['boolean', 'bool', 'logical']],
  ['json', ['json']],
  ['date', ['date']],
  ['decimal', ['decimal', 'numeric', 'number']],
];
const CANONICAL = new Map(SYNONYMS.flatMap(([canon, names]) => names.map((n) => [n, canon] as const)));

/** The canonical name of a SQL type: `TEXT` → `varchar`, `FLOAT8` → `double`, `NUMERIC(10,2)` → `decimal(10,2)`. */
export function normalizeType(type: string): string {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ');
  const match = /^([a-z0-9_ ]+?)\s*(\(.*\))?$/.exec(t);
  if (!match) return t;
  const base = CANONICAL.get(match[1]!) ?? match[1]!;
  if (base === 'varchar' || !match[2]) return base;
  return `${base}${match[2].replace(/\s+/g, '')}`;
}

export interface BuiltColumn {
  name: string;
  type: string;
}

/** The contract's differences, one line each; empty when the model honours it. */
export function contractViolations(
  model: string,
  declared: readonly ColumnProperties[],
  built: readonly BuiltColumn[],
): string[] {
  const problems: string[] = [];
  const builtByName = new Map(built.map((c) => [c.name.toLowerCase(), c]));
  const declaredNames = new Set(declared.map((c) => String(c.name).toLowerCase()));
  for (const column of declared) {
    const name = String(column.name);
    if (!column.data_type) {
      problems.push(`model ${model}: column ${name} has no data_type in its yml (a contract needs one)`);
      continue;
    }
    const actual = builtByName.get(name.toLowerCase());
    if (!actual) {
      problems.push(`model ${model}: column ${name} is missing (expected ${column.data_type})`);
      continue;
    }
    if (!sameType(column.data_type, actual.type)) {
      problems.push(
        `model ${model}: column ${name} has the wrong data type (expected ${column.data_type}, actual ${actual.type})`,
      );
    }
  }
  for (const column of built) {
    if (!declaredNames.has(column.name.toLowerCase())) {
      problems.push(`model ${model}: column ${column.name} (${column.type}) is not in the contract`);
    }
  }
  return problems;
}

function sameType(expected: string, actual: string): boolean {
  const e = normalizeType(expected);
  const a = normalizeType(actual);
  if (e === a) return true;
  return e === 'decimal' && a.startsWith('decimal(');
}
