/**
 * `runTransform`: the project's own subset of dbt Core on DuckDB — parse, select, order and
 * run seeds, models and data tests (`build`), or only one kind (`run`, `test`, `seed`), or
 * render everything for a target without connecting (`compile`). Compiled SQL goes to
 * `<project>/target/compiled/…`, the outcome to `<project>/target/run_results.json`.
 * See: https://docs.getdbt.com/reference/commands/build
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createDuckDbWarehouse, type Warehouse } from '../warehouse';
import { BUILTIN_MACROS, BUILTIN_MACROS_PATH } from './builtin-macros';
import { createDbtJinja, type DbtJinja } from './dbt-jinja';
import { compileNode, executeNode } from './execute-node';
import { buildEdges, descendants, selectNodes, topologicalOrder } from './graph';
import { compileTemplate, createJinjaEnvironment, renderTemplate } from './jinja';
import { type Manifest, type ManifestNode, parseManifest } from './manifest';
import { describeNode, progressLine, summaryLines } from './output';
import { readTarget, type Target } from './profile';
import { type DbtProjectFiles, readProject } from './project';
import { Relation } from './relation';
import type { TransformOptions, TransformResult } from './types';

type Result = TransformResult['results'][number];

const KINDS: Record<TransformOptions['command'], ManifestNode['resourceType'][]> = {
  build: ['seed', 'model', 'test'],
  run: ['model'],
  test: ['test'],
  seed: ['seed'],
  compile: ['model', 'test'],
};

export async function runTransform(options: TransformOptions): Promise<TransformResult> {
  const output = options.output ?? ((line: string) => process.stdout.write(`${line}\n`));
  const invocationId = randomUUID();
  const started = new Date();
  const projectDir = resolve(options.projectDir ?? 'dbt');
  let project: DbtProjectFiles;
  let manifest: Manifest;
  let jinja: DbtJinja;
  let order: string[];
  try {
    const renderEnvOnly = createEnvRenderer(options.env);
    project = readProject(projectDir, renderEnvOnly);
    const target = readTarget({
      projectDir,
      profile: project.profile,
      target: options.target,
      env: options.env,
      render: renderEnvOnly,
    });
    output(
      `Running with the fhir-gateway dbt runner: project ${project.name}, target ${target.name} (${target.type})`,
    );
    const relations = new Map<string, Relation>();
    jinja = createDbtJinja({
      target,
      projectName: project.name,
      vars: project.vars,
      env: options.env,
      invocationId,
      runStartedAt: started,
      command: options.command,
      output,
      ref: (name, _pkg, scope) =>
        (scope.execute ? relations.get(`ref:${name}`) : undefined) ?? placeholder(name),
      source: (source, table, scope) =>
        (scope.execute ? relations.get(`source:${source}.${table}`) : undefined) ??
        placeholder(`${source}.${table}`),
    });
    jinja.loadMacros([{ path: BUILTIN_MACROS_PATH, source: BUILTIN_MACROS }]);
    jinja.loadMacros(project.macros);
    manifest = parseManifest(project, jinja);
    for (const node of manifest.nodes.values()) {
      if (!node.relation) continue;
      const key = node.resourceType === 'source' ? `source:${node.name}` : `ref:${node.name}`;
      relations.set(key, node.relation);
    }
    const selected = selectNodes(manifest, options.select ?? []);
    const kinds = KINDS[options.command];
    const edges = buildEdges(manifest);
    order = topologicalOrder(selected, edges).filter((id) =>
      kinds.includes(manifest.nodes.get(id)!.resourceType),
    );
    const summary = countKinds(manifest, order);
    output(`Found ${summary}`);
    output('');
    if (options.command === 'compile')
      return compileAll(project, manifest, jinja, target, order, invocationId, output);
    const warehouse = options.warehouse ?? (await openTargetWarehouse(target));
    try {
      return await executeAll(
        project,
        manifest,
        jinja,
        order,
        edges,
        warehouse,
        invocationId,
        started,
        output,
      );
    } finally {
      if (!options.warehouse) await warehouse.close();
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    output(`Compilation Error\n  ${message}`);
    return { ok: false, invocationId, results: [{ node: 'project', status: 'error', seconds: 0, message }] };
  }
}

const placeholder = (name: string) => new Relation(undefined, '__dbt_parse__', name.replace(/\W/g, '_'));

/** Renders yml strings with `env_var()` and `var()`-free Jinja, as dbt does for project and profile files. */
function createEnvRenderer(env: Record<string, string | undefined>) {
  const jinja = createJinjaEnvironment();
  jinja.addGlobal('env_var', (name: string, ...rest: unknown[]) => {
    if (env[name] !== undefined) return env[name];
    if (rest.length > 0) return rest[0];
    throw new Error(`Env var required but not provided: '${name}'`);
  });
  return (text: string) => renderTemplate(compileTemplate(jinja, text, 'yml'), 'yml');
}

async function openTargetWarehouse(target: Target): Promise<Warehouse> {
  if (target.type !== 'duckdb') {
    throw new Error(
      `target '${target.name}' is ${target.type}: the local runner executes on DuckDB only (use \`compile\` for ${target.type}, dbt Core to run it)`,
    );
  }
  return createDuckDbWarehouse({ path: String(target.path ?? ':memory:') });
}

function countKinds(manifest: Manifest, order: string[]): string {
  const n = (kind: string) => order.filter((id) => manifest.nodes.get(id)!.resourceType === kind).length;
  const sources = [...manifest.nodes.values()].filter((x) => x.resourceType === 'source').length;
  return `${n('model')} models, ${n('seed')} seeds, ${n('test')} data tests, ${sources} sources`;
}

function writeCompiled(project: DbtProjectFiles, node: ManifestNode, sql: string): string {
  const relative = node.generic ? join(node.path, `${node.name}.sql`) : node.path;
  const file = join(project.dir, project.targetPath, 'compiled', project.name, relative);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${sql}\n`);
  return file;
}

function compileAll(
  project: DbtProjectFiles,
  manifest: Manifest,
  jinja: DbtJinja,
  target: Target,
  order: string[],
  invocationId: string,
  output: (line: string) => void,
): TransformResult {
  const results: Result[] = [];
  for (const id of order) {
    const node = manifest.nodes.get(id)!;
    const t0 = performance.now();
    try {
      writeCompiled(project, node, compileNode(node, jinja, manifest.nodes));
      results.push({ node: id, status: 'success', seconds: (performance.now() - t0) / 1000 });
    } catch (error) {
      const message = (error as Error).message;
      output(`Compilation Error in ${node.resourceType} ${node.name} (${node.path})\n  ${message}`);
      results.push({ node: id, status: 'error', seconds: (performance.now() - t0) / 1000, message });
    }
  }
  const ok = results.every((r) => r.status !== 'error');
  const dir = join(project.dir, project.targetPath, 'compiled', project.name);
  output(`Compiled ${results.length} nodes for target ${target.name} (${target.type}) into ${dir}`);
  output(`Done. ${ok ? 'PASS' : 'ERROR'}=${results.length}`);
  return { ok, invocationId, results };
}

async function executeAll(
  project: DbtProjectFiles,
  manifest: Manifest,
  jinja: DbtJinja,
  order: string[],
  edges: Map<string, Set<string>>,
  warehouse: Warehouse,
  invocationId: string,
  started: Date,
  output: (line: string) => void,
): Promise<TransformResult> {
  const children = new Map<string, string[]>();
  for (const [child, parents] of edges)
    for (const p of parents) children.set(p, [...(children.get(p) ?? []), child]);
  const skipped = new Set<string>();
  const results: Result[] = [];
  const total = order.length;
  for (const [i, id] of order.entries()) {
    const node = manifest.nodes.get(id)!;
    const what = describeNode(node);
    if (skipped.has(id)) {
      const name = node.resourceType === 'test' ? `test ${node.name}` : `relation ${node.relation}`;
      output(progressLine(i + 1, total, `SKIP ${name}`, 'SKIP'));
      results.push({ node: id, status: 'skipped', seconds: 0 });
      continue;
    }
    output(progressLine(i + 1, total, `START ${what}`, 'RUN'));
    const t0 = performance.now();
    let result: Result;
    let label: string;
    try {
      const sql = node.resourceType === 'seed' ? '' : compileNode(node, jinja, manifest.nodes);
      if (sql) writeCompiled(project, node, sql);
      const outcome = await executeNode(node, sql, warehouse);
      result = { node: id, status: outcome.status, seconds: 0, message: outcome.message };
      label = outcome.label;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { node: id, status: 'error', seconds: 0, message };
      label = 'ERROR';
    }
    result.seconds = (performance.now() - t0) / 1000;
    results.push(result);
    const timing = `${label} in ${result.seconds.toFixed(2)}s`;
    const verb =
      result.status === 'error'
        ? `ERROR ${node.resourceType === 'test' ? '' : 'creating '}${what}`
        : node.resourceType === 'test'
          ? `${label} ${node.name}`
          : `OK ${node.resourceType === 'seed' ? 'loaded' : 'created'} ${what}`;
    output(progressLine(i + 1, total, verb.replace(/\s+/g, ' '), timing));
    if (result.status === 'error' || result.status === 'fail') {
      for (const d of descendants(children, id)) skipped.add(d);
    }
  }
  const seconds = (Date.now() - started.getTime()) / 1000;
  for (const line of summaryLines(results, manifest.nodes, seconds)) output(line);
  writeRunResults(project, invocationId, started, seconds, results);
  const ok = results.every((r) => r.status !== 'error' && r.status !== 'fail');
  return { ok, invocationId, results };
}

function writeRunResults(
  project: DbtProjectFiles,
  invocationId: string,
  started: Date,
  seconds: number,
  results: Result[],
): void {
  const file = join(project.dir, project.targetPath, 'run_results.json');
  mkdirSync(dirname(file), { recursive: true });
  const body = {
    metadata: {
      invocation_id: invocationId,
      generated_at: new Date().toISOString(),
      started_at: started.toISOString(),
    },
    elapsed_time: seconds,
    results: results.map((r) => ({
      unique_id: r.node,
      status: r.status,
      execution_time: r.seconds,
      message: r.message ?? null,
    })),
  };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
}
