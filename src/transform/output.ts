/**
 * Console lines shaped like dbt's, so anyone who knows dbt reads them at a glance:
 * `12:00:01  3 of 17 START sql view model staging.stg_vault__patient ..... [RUN]`,
 * the per-node outcome with its timing, and the closing `Done. PASS=… TOTAL=…`.
 */
import type { ManifestNode } from './manifest';
import type { TransformResult } from './types';

const WIDTH = 80;

const clock = () => new Date().toISOString().slice(11, 19);

/** One progress line: `<time>  i of n <message> ....... [<status>]`. */
export function progressLine(index: number, total: number, message: string, status: string): string {
  const head = `${index} of ${total} ${message} `;
  const dots = '.'.repeat(Math.max(3, WIDTH - head.length));
  return `${clock()}  ${head}${dots} [${status}]`;
}

export function describeNode(node: ManifestNode): string {
  const name = node.relation ? `${node.relation.schema}.${node.relation.identifier}` : node.name;
  if (node.resourceType === 'seed') return `seed file ${name}`;
  if (node.resourceType === 'test') return `test ${node.name}`;
  return `sql ${node.config.materialized} model ${name}`;
}

type Result = TransformResult['results'][number];

/** The closing block: the failures in detail, then dbt's `Done.` counts. */
export function summaryLines(
  results: readonly Result[],
  nodes: ReadonlyMap<string, ManifestNode>,
  seconds: number,
): string[] {
  const count = (...statuses: Result['status'][]) =>
    results.filter((r) => statuses.includes(r.status)).length;
  const kinds = new Map<string, number>();
  for (const r of results) {
    const node = nodes.get(r.node);
    const kind =
      node?.resourceType === 'model'
        ? `${node.config.materialized} model`
        : node?.resourceType === 'test'
          ? 'data test'
          : (node?.resourceType ?? 'node');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const ran = [...kinds].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ');
  const lines = [
    '',
    `${clock()}  Finished running ${ran || 'nothing'} in ${seconds.toFixed(2)} seconds.`,
    '',
  ];
  const failed = results.filter((r) => r.status === 'error' || r.status === 'fail' || r.status === 'warn');
  const errors = count('error', 'fail');
  if (errors === 0 && count('warn') === 0) lines.push('Completed successfully');
  else lines.push(`Completed with ${errors} error${errors === 1 ? '' : 's'} and ${count('warn')} warnings:`);
  for (const r of failed) {
    const node = nodes.get(r.node);
    const what = node ? `${node.resourceType} ${node.name} (${node.path})` : r.node;
    const label = r.status === 'error' ? 'Error in' : r.status === 'warn' ? 'Warning in' : 'Failure in';
    lines.push('', `${label} ${what}`, ...(r.message ?? '').split('\n').map((l) => `  ${l}`));
  }
  lines.push(
    '',
    `Done. PASS=${count('success', 'pass')} WARN=${count('warn')} ERROR=${count('error', 'fail')} SKIP=${count('skipped')} TOTAL=${results.length}`,
  );
  return lines;
}
