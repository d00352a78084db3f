/**
 * The DAG: topological order (a cycle is an error naming it), node selection
 * (`name`, `name+`, `+name`, `path:`, `tag:`, `resource_type:`) and dbt build's test
 * edges: a test on a parent runs before every child that depends on all of the test's
 * parents, so a failing test skips those children.
 * See: https://docs.getdbt.com/reference/node-selection/syntax
 */
import type { Manifest, ManifestNode } from './manifest';

/** Children of each node (only edges between nodes present in the manifest). */
export function childrenOf(manifest: Manifest): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const id of manifest.nodes.keys()) children.set(id, []);
  for (const node of manifest.nodes.values()) {
    for (const parent of node.dependsOn) children.get(parent)?.push(node.uniqueId);
  }
  return children;
}

/** Ancestors of `id` (not including itself). */
function ancestors(manifest: Manifest, id: string, memo = new Map<string, Set<string>>()): Set<string> {
  const known = memo.get(id);
  if (known) return known;
  const out = new Set<string>();
  memo.set(id, out);
  for (const parent of manifest.nodes.get(id)?.dependsOn ?? []) {
    out.add(parent);
    for (const a of ancestors(manifest, parent, memo)) out.add(a);
  }
  return out;
}

/**
 * The execution graph of `build`: each node's parents, with test → child edges added as dbt
 * does (the child depends on every parent of the test).
 */
export function buildEdges(manifest: Manifest): Map<string, Set<string>> {
  const parents = new Map<string, Set<string>>();
  for (const node of manifest.nodes.values()) parents.set(node.uniqueId, new Set(node.dependsOn));
  const memo = new Map<string, Set<string>>();
  const children = childrenOf(manifest);
  for (const test of manifest.nodes.values()) {
    if (test.resourceType !== 'test') continue;
    for (const parent of test.dependsOn) {
      for (const child of children.get(parent) ?? []) {
        const node = manifest.nodes.get(child)!;
        if (node.resourceType === 'test') continue;
        const up = ancestors(manifest, child, memo);
        if (test.dependsOn.every((p) => up.has(p))) parents.get(child)!.add(test.uniqueId);
      }
    }
  }
  return parents;
}

/** Kahn's algorithm over `ids`, ties broken by dbt's own order (seeds, models, tests, by name). */
export function topologicalOrder(ids: Iterable<string>, parents: Map<string, Set<string>>): string[] {
  const wanted = new Set(ids);
  const pending = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const id of wanted) {
    const ps = [...(parents.get(id) ?? [])].filter((p) => wanted.has(p));
    pending.set(id, ps.length);
    for (const p of ps) children.set(p, [...(children.get(p) ?? []), id]);
  }
  const ready = [...wanted].filter((id) => pending.get(id) === 0).sort(byKind);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const child of children.get(id) ?? []) {
      const left = pending.get(child)! - 1;
      pending.set(child, left);
      if (left === 0) {
        ready.push(child);
        ready.sort(byKind);
      }
    }
  }
  if (order.length < wanted.size) {
    const stuck = [...wanted].filter((id) => !order.includes(id));
    throw new Error(`Found a cycle in the DAG: ${describeCycle(stuck, parents).join(' --> ')}`);
  }
  return order;
}

const KIND_RANK: Record<string, number> = { source: 0, seed: 1, model: 2, test: 3 };
const byKind = (a: string, b: string) => {
  const ka = KIND_RANK[a.split('.')[0]!] ?? 9;
  const kb = KIND_RANK[b.split('.')[0]!] ?? 9;
  return ka - kb || (a < b ? -1 : a > b ? 1 : 0);
};

function describeCycle(stuck: string[], parents: Map<string, Set<string>>): string[] {
  const inStuck = new Set(stuck);
  const path: string[] = [];
  let at = stuck[0]!;
  while (!path.includes(at)) {
    path.push(at);
    at = [...(parents.get(at) ?? [])].find((p) => inStuck.has(p)) ?? at;
  }
  return [...path.slice(path.indexOf(at)), at].reverse();
}

/** Applies `--select` (space- or comma-free list of selectors, unioned). All nodes when empty. */
export function selectNodes(manifest: Manifest, selectors: readonly string[]): Set<string> {
  const all = [...manifest.nodes.values()].filter((n) => n.resourceType !== 'source');
  if (selectors.length === 0) return new Set(all.map((n) => n.uniqueId));
  const children = childrenOf(manifest);
  const selected = new Set<string>();
  for (const raw of selectors.flatMap((s) => s.split(/\s+/)).filter(Boolean)) {
    const up = raw.startsWith('+');
    const down = raw.endsWith('+');
    const selector = raw.slice(up ? 1 : 0, down ? -1 : undefined);
    const matched = all.filter((n) => matches(n, selector));
    if (matched.length === 0) throw new Error(`--select ${raw}: no node matches '${selector}'`);
    for (const node of matched) {
      selected.add(node.uniqueId);
      if (up) for (const a of ancestors(manifest, node.uniqueId)) selected.add(a);
      if (down) for (const d of descendants(children, node.uniqueId)) selected.add(d);
    }
  }
  for (const node of all) {
    if (node.resourceType === 'test' && node.dependsOn.some((p) => selected.has(p)))
      selected.add(node.uniqueId);
  }
  for (const id of [...selected]) if (manifest.nodes.get(id)?.resourceType === 'source') selected.delete(id);
  return selected;
}

function matches(node: ManifestNode, selector: string): boolean {
  if (selector.startsWith('path:')) {
    const path = selector.slice(5).replace(/\/$/, '');
    return node.path === path || node.path.startsWith(`${path}/`);
  }
  if (selector.startsWith('tag:')) return node.config.tags.includes(selector.slice(4));
  if (selector.startsWith('resource_type:')) return node.resourceType === selector.slice(14);
  return node.name === selector || node.fqn.join('.') === selector;
}

/** Every descendant of `id` through `children`. */
export function descendants(children: Map<string, string[]>, id: string): Set<string> {
  const out = new Set<string>();
  const stack = [...(children.get(id) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (out.has(next)) continue;
    out.add(next);
    stack.push(...(children.get(next) ?? []));
  }
  return out;
}
