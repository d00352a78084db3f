/**
 * Generic data tests declared in properties yml (`tests:` / `data_tests:` on a column or a
 * model, source table or seed), in every form dbt accepts: `- not_null`,
 * `- unique: {config: {...}}`, `- accepted_values: {values: [...], quote: false}`, and the
 * dbt 1.10 form with `arguments:`. Config keys written among the arguments (`severity`,
 * `where`, …) are configs, as in older dbt.
 * See: https://docs.getdbt.com/reference/resource-properties/data-tests
 */
import { isRecord } from './node-config';
import type { NodeProperties } from './project';

export interface GenericTestSpec {
  /** `not_null`, `unique`, `accepted_values`, `relationships`, or a project `{% test %}`. */
  testName: string;
  columnName?: string;
  args: Record<string, unknown>;
  config: Record<string, unknown>;
  /** The yml file that declared it. */
  file: string;
}

const CONFIG_KEYS = new Set([
  'severity',
  'where',
  'tags',
  'enabled',
  'warn_if',
  'error_if',
  'limit',
  'store_failures',
  'meta',
]);

/** Every generic test of one node's properties (its columns' and its own). */
export function genericTestSpecs(properties: NodeProperties | undefined): GenericTestSpec[] {
  if (!properties) return [];
  const specs: GenericTestSpec[] = [];
  for (const entry of [...(properties.tests ?? []), ...(properties.data_tests ?? [])])
    specs.push(toSpec(entry, undefined, properties.file));
  for (const column of properties.columns ?? []) {
    for (const entry of [...(column.tests ?? []), ...(column.data_tests ?? [])])
      specs.push(toSpec(entry, String(column.name), properties.file));
  }
  return specs;
}

function toSpec(entry: unknown, columnName: string | undefined, file: string): GenericTestSpec {
  if (typeof entry === 'string') return { testName: entry, columnName, args: {}, config: {}, file };
  if (!isRecord(entry) || Object.keys(entry).length !== 1) {
    throw new Error(`${file}: a data test must be a name or a one-key mapping, got ${JSON.stringify(entry)}`);
  }
  const [testName, body] = Object.entries(entry)[0]!;
  const given = isRecord(body) ? body : {};
  const args: Record<string, unknown> = {};
  const config: Record<string, unknown> = isRecord(given.config) ? { ...given.config } : {};
  for (const [key, value] of Object.entries(given)) {
    if (key === 'config' || key === 'arguments' || key === 'name' || key === 'description') continue;
    if (CONFIG_KEYS.has(key)) config[key] = value;
    else args[key] = value;
  }
  if (isRecord(given.arguments)) Object.assign(args, given.arguments);
  const explicitColumn = typeof args.column_name === 'string' ? args.column_name : undefined;
  delete args.column_name;
  return { testName, columnName: explicitColumn ?? columnName, args, config, file };
}

/** dbt's name for a generic test: `not_null_<model>_<column>`, plus argument values for others. */
export function genericTestName(spec: GenericTestSpec, attachedTo: string): string {
  const parts = [spec.testName, attachedTo, spec.columnName].filter(Boolean).join('_');
  const argParts = Object.entries(spec.args)
    .filter(([k]) => k !== 'quote')
    .flatMap(([, v]) => (Array.isArray(v) ? v : [v]))
    .map((v) => String(v));
  const name = [parts, ...argParts].join('__');
  const clean = name.replace(/[^A-Za-z0-9_]+/g, '_');
  return clean.length > 100 ? `${clean.slice(0, 80)}_${hashOf(name)}` : clean;
}

function hashOf(text: string): string {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return (h >>> 0).toString(16);
}
