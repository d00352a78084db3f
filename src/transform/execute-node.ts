/**
 * Compiling and running one node: a model (rendered with `execute` true, its contract
 * checked against the query's described columns before anything is built, then
 * materialized), a seed, or a data test (its failure count against `warn_if`/`error_if`).
 */
import type { Warehouse } from '../warehouse';
import { contractViolations } from './contract';
import type { DbtJinja } from './dbt-jinja';
import type { ManifestNode } from './manifest';
import { parseScope } from './manifest';
import {
  countFailures,
  createTable,
  createView,
  describeQuery,
  ensureSchema,
  loadSeed,
  meetsCondition,
} from './materialize';
import type { TransformResult } from './types';

type Status = TransformResult['results'][number]['status'];

export interface NodeOutcome {
  status: Status;
  /** The bracketed status of dbt's line: `OK`, `PASS`, `FAIL 3`, `INSERT 12`, … */
  label: string;
  message?: string;
}

/** The SQL a model or test compiles to (models: their select; tests: the failing-rows query). */
export function compileNode(
  node: ManifestNode,
  jinja: DbtJinja,
  nodes: ReadonlyMap<string, ManifestNode>,
): string {
  const scope = parseScope(node, true);
  if (node.template) return jinja.render(node.template, node.path, scope).trim();
  const spec = node.generic;
  if (!spec) throw new Error(`${node.uniqueId} has nothing to compile`);
  const macro = jinja.macro(`test_${spec.testName}`);
  if (!macro) {
    throw new Error(`${spec.file}: unknown generic test '${spec.testName}' (no macro test_${spec.testName})`);
  }
  const attached = nodes.get(spec.attachedTo)?.relation;
  if (!attached) throw new Error(`${spec.file}: test ${node.name} is attached to nothing`);
  const model = node.config.where
    ? `(select * from ${attached} where ${node.config.where}) dbt_subquery`
    : attached;
  const kwargs: Record<string, unknown> = { model };
  if (spec.columnName !== undefined) kwargs.column_name = spec.columnName;
  for (const [key, value] of Object.entries(spec.args)) {
    if (typeof value === 'string' && /^\s*(ref|source)\s*\(/.test(value))
      kwargs[key] = jinja.evaluate(value, spec.file, scope);
    else if (typeof value === 'string' && value.includes('{{'))
      kwargs[key] = jinja.renderString(value, spec.file, scope);
    else kwargs[key] = value;
  }
  try {
    return String(macro({ ...kwargs, __keywords: true })).trim();
  } catch (error) {
    throw new Error(`${spec.file}: test ${node.name}: ${(error as Error).message}`);
  }
}

/** Runs one node in the warehouse. */
export async function executeNode(
  node: ManifestNode,
  sql: string,
  warehouse: Warehouse,
): Promise<NodeOutcome> {
  if (node.resourceType === 'seed') {
    await ensureSchema(warehouse, node.relation!);
    const rows = await loadSeed(warehouse, node.relation!, node.seedFile!, node.config.column_types);
    return { status: 'success', label: `INSERT ${rows}` };
  }
  if (node.resourceType === 'test') {
    const failures = await countFailures(warehouse, sql);
    const { severity, error_if: errorIf, warn_if: warnIf } = node.config;
    const isError =
      String(severity ?? 'error').toLowerCase() === 'error' && meetsCondition(failures, errorIf);
    if (isError) return { status: 'fail', label: `FAIL ${failures}`, message: gotResults(failures, errorIf) };
    if (meetsCondition(failures, warnIf)) {
      return { status: 'warn', label: `WARN ${failures}`, message: gotResults(failures, warnIf) };
    }
    return { status: 'pass', label: 'PASS' };
  }
  const relation = node.relation!;
  const materialized = node.config.materialized ?? 'view';
  const enforced = node.config.contract?.enforced === true;
  if (enforced) {
    const violations = contractViolations(node.name, node.columns, await describeQuery(warehouse, sql));
    if (violations.length > 0) {
      return {
        status: 'error',
        label: 'ERROR',
        message: `Contract Error in model ${node.name} (${node.path})\n${violations.join('\n')}`,
      };
    }
  }
  await ensureSchema(warehouse, relation);
  if (materialized === 'view') await createView(warehouse, relation, sql);
  else if (materialized === 'table' || materialized === 'incremental')
    await createTable(warehouse, relation, sql, enforced ? node.columns : undefined);
  else {
    throw new Error(`${node.path}: materialization '${materialized}' is not supported by the local runner`);
  }
  return { status: 'success', label: 'OK' };
}

const gotResults = (failures: number, condition: unknown) =>
  `Got ${failures} result${failures === 1 ? '' : 's'}, configured to fail if ${String(condition ?? '!=0')}`;
