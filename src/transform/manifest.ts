/**
 * Parsing, like dbt's: every model is rendered once (with `execute` false) to record its
 * `ref`/`source`/`config` calls; relations are named with `generate_schema_name` and
 * `generate_alias_name`; seeds, sources and data tests become nodes of the same graph.
 * See: https://docs.getdbt.com/reference/node-selection/graph-operators
 */
import type nunjucks from 'nunjucks';
import type { DbtJinja, RenderScope } from './dbt-jinja';
import { type GenericTestSpec, genericTestName, genericTestSpecs } from './generic-test-specs';
import { applyProjectTree, defaultConfig, mergeConfig, type NodeConfig } from './node-config';
import type { ColumnProperties, DbtProjectFiles, ProjectFile } from './project';
import { Relation } from './relation';

export type ResourceType = 'model' | 'seed' | 'test' | 'source';

export interface ManifestNode {
  uniqueId: string;
  resourceType: ResourceType;
  name: string;
  /** The file that defines it (a generic test: the yml that declares it). */
  path: string;
  fqn: string[];
  config: NodeConfig;
  relation?: Relation;
  dependsOn: string[];
  columns: ColumnProperties[];
  template?: nunjucks.Template;
  seedFile?: string;
  generic?: GenericTestSpec & { attachedTo: string };
}

export interface Manifest {
  nodes: Map<string, ManifestNode>;
}

/** Builds the manifest; `jinja` must already hold the project's macros. */
export function parseManifest(project: DbtProjectFiles, jinja: DbtJinja): Manifest {
  const nodes = new Map<string, ManifestNode>();
  const byName = new Map<string, string>();
  const target = jinja.target;
  const plainRelations = target.type === 'duckdb';
  const relation = (database: string | undefined, schema: string, identifier: string) =>
    new Relation(plainRelations ? undefined : database, schema, identifier);

  const nameRelation = (node: ManifestNode) => {
    const model = nodeContext(node);
    const call = (macro: string, value: unknown) => {
      const fn = jinja.macro(macro);
      if (!fn) throw new Error(`macro ${macro} is missing`);
      try {
        return String(fn(value ?? null, model)).trim();
      } catch (error) {
        throw new Error(`${node.path}: ${macro}: ${(error as Error).message}`);
      }
    };
    node.relation = relation(
      call('generate_database_name', node.config.database) || undefined,
      call('generate_schema_name', node.config.schema),
      call('generate_alias_name', node.config.alias),
    );
    byName.set(node.name, node.uniqueId);
  };

  for (const seed of project.seeds) {
    const props = project.seedProperties.get(seed.name);
    const config = applyProjectTree(defaultConfig('seed'), project.seedsTree, seed.fqn);
    mergeConfig(config, props?.config);
    if (config.enabled === false) continue;
    const node = baseNode('seed', project.name, seed, config, props?.columns);
    node.seedFile = seed.absPath;
    nodes.set(node.uniqueId, node);
    nameRelation(node);
  }

  const parsedModels: { node: ManifestNode; scope: RenderScope }[] = [];
  for (const model of project.models) {
    const props = project.modelProperties.get(model.name);
    const config = applyProjectTree(defaultConfig('model'), project.modelsTree, model.fqn);
    mergeConfig(config, renderConfig(props?.config, props?.file ?? model.path));
    const node = baseNode('model', project.name, model, config, props?.columns);
    node.template = jinja.compile(model.source, model.path);
    const scope = parseScope(node);
    jinja.render(node.template, model.path, scope);
    if (config.enabled === false) continue;
    nodes.set(node.uniqueId, node);
    parsedModels.push({ node, scope });
  }
  for (const { node } of parsedModels) nameRelation(node);

  const sourceIds = new Map<string, string>();
  for (const source of project.sources) {
    for (const table of source.tables) {
      const uniqueId = `source.${project.name}.${source.name}.${table.name}`;
      const node: ManifestNode = {
        uniqueId,
        resourceType: 'source',
        name: `${source.name}.${table.name}`,
        path: source.file,
        fqn: [project.name, source.name, table.name],
        config: { tags: [], enabled: true },
        relation: relation(
          source.database ?? target.database,
          source.schema ?? source.name,
          String(table.identifier ?? table.name),
        ),
        dependsOn: [],
        columns: table.columns ?? [],
      };
      nodes.set(uniqueId, node);
      sourceIds.set(`${source.name}.${table.name}`, uniqueId);
    }
  }

  const resolveRef = (name: string, pkg: string | undefined, from: ManifestNode) => {
    const id = byName.get(name);
    if (!id || (pkg && pkg !== project.name)) {
      throw new Error(
        `${from.path}: '${from.name}' depends on a node named '${pkg ? `${pkg}.` : ''}${name}' which was not found`,
      );
    }
    return id;
  };
  const resolveSource = (source: string, table: string, from: ManifestNode) => {
    const id = sourceIds.get(`${source}.${table}`);
    if (!id) {
      throw new Error(
        `${from.path}: '${from.name}' depends on a source named '${source}.${table}' which was not found`,
      );
    }
    return id;
  };
  const depsOf = (scope: RenderScope, from: ManifestNode) => [
    ...new Set([
      ...scope.refs.map((r) => resolveRef(r.name, r.package, from)),
      ...scope.sources.map((s) => resolveSource(s.source, s.table, from)),
    ]),
  ];
  for (const { node, scope } of parsedModels) node.dependsOn = depsOf(scope, node);

  const tests: ManifestNode[] = [];
  const attach = (parent: ManifestNode, specs: GenericTestSpec[], label: string) => {
    for (const spec of specs) {
      const name = genericTestName(spec, label);
      const config = applyProjectTree(defaultConfig('test'), project.testsTree, [project.name, name]);
      mergeConfig(config, spec.config);
      if (config.enabled === false) continue;
      const node: ManifestNode = {
        uniqueId: `test.${project.name}.${name}`,
        resourceType: 'test',
        name,
        path: spec.file,
        fqn: [project.name, name],
        config,
        dependsOn: [parent.uniqueId],
        columns: [],
        generic: { ...spec, attachedTo: parent.uniqueId },
      };
      const scope = parseScope(node);
      for (const value of Object.values(spec.args)) {
        if (typeof value === 'string' && /^\s*(ref|source)\s*\(/.test(value))
          jinja.evaluate(value, spec.file, scope);
      }
      node.dependsOn = [...new Set([parent.uniqueId, ...depsOf(scope, node)])];
      tests.push(node);
    }
  };
  for (const node of nodes.values()) {
    if (node.resourceType === 'model')
      attach(node, genericTestSpecs(project.modelProperties.get(node.name)), node.name);
    if (node.resourceType === 'seed')
      attach(node, genericTestSpecs(project.seedProperties.get(node.name)), node.name);
  }
  for (const source of project.sources) {
    for (const table of source.tables) {
      const parent = nodes.get(sourceIds.get(`${source.name}.${table.name}`)!)!;
      attach(parent, genericTestSpecs(table), `source_${source.name}_${table.name}`);
    }
  }
  for (const file of project.singularTests) {
    const config = applyProjectTree(defaultConfig('test'), project.testsTree, file.fqn);
    const node = baseNode('test', project.name, file, config, []);
    node.template = jinja.compile(file.source, file.path);
    const scope = parseScope(node);
    jinja.render(node.template, file.path, scope);
    if (node.config.enabled === false) continue;
    node.dependsOn = depsOf(scope, node);
    tests.push(node);
  }
  for (const test of tests) {
    let id = test.uniqueId;
    for (let n = 2; nodes.has(id); n++) id = `${test.uniqueId}_${n}`;
    test.uniqueId = id;
    nodes.set(id, test);
  }
  return { nodes };

  function renderConfig(config: Record<string, unknown> | undefined, file: string) {
    if (!config) return config;
    return Object.fromEntries(
      Object.entries(config).map(([k, v]) => [
        k,
        typeof v === 'string' && v.includes('{{') ? jinja.renderString(v, file) : v,
      ]),
    );
  }
}

function baseNode(
  resourceType: 'model' | 'seed' | 'test',
  project: string,
  file: ProjectFile,
  config: NodeConfig,
  columns: ColumnProperties[] | undefined,
): ManifestNode {
  return {
    uniqueId: `${resourceType}.${project}.${file.name}`,
    resourceType,
    name: file.name,
    path: file.path,
    fqn: file.fqn,
    config,
    dependsOn: [],
    columns: columns ?? [],
  };
}

/** A render scope for `node`: its config is the one `config()` updates. */
export function parseScope(node: ManifestNode, execute = false): RenderScope {
  return {
    config: node.config,
    this: node.relation,
    model: nodeContext(node),
    refs: [],
    sources: [],
    execute,
  };
}

/** The `model`/`node` object macros receive. */
export function nodeContext(node: ManifestNode): Record<string, unknown> {
  return {
    name: node.name,
    unique_id: node.uniqueId,
    resource_type: node.resourceType,
    package_name: node.fqn[0],
    path: node.path,
    original_file_path: node.path,
    fqn: node.fqn,
    config: node.config,
    tags: node.config.tags,
    schema: node.relation?.schema,
    alias: node.relation?.identifier,
    database: node.relation?.database,
  };
}
