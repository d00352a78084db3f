/**
 * Reads a dbt project from disk: `dbt_project.yml`, then every model, seed, macro, singular
 * test and properties yml (`models:`, `sources:`, `seeds:`) under the configured paths.
 * Jinja inside yml strings is rendered later, once the target is known.
 * See: https://docs.getdbt.com/reference/dbt_project.yml
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import { isRecord } from './node-config';

export interface ColumnProperties {
  name: string;
  data_type?: string;
  constraints?: { type: string; [k: string]: unknown }[];
  tests?: unknown[];
  data_tests?: unknown[];
  [k: string]: unknown;
}

export interface NodeProperties {
  name: string;
  config?: Record<string, unknown>;
  columns?: ColumnProperties[];
  tests?: unknown[];
  data_tests?: unknown[];
  /** The yml file (relative to the project) that declared these properties. */
  file: string;
}

export interface ProjectFile {
  name: string;
  /** Relative to the project directory, with `/` separators. */
  path: string;
  absPath: string;
  /** `[project, ...folders under the resource path, name]`. */
  fqn: string[];
  source: string;
}

export interface SourceProperties {
  name: string;
  schema?: string;
  database?: string;
  tables: (NodeProperties & { identifier?: string })[];
  file: string;
}

export interface DbtProjectFiles {
  dir: string;
  name: string;
  profile: string;
  vars: Record<string, unknown>;
  targetPath: string;
  modelsTree: unknown;
  seedsTree: unknown;
  testsTree: unknown;
  models: ProjectFile[];
  seeds: ProjectFile[];
  macros: ProjectFile[];
  singularTests: ProjectFile[];
  modelProperties: Map<string, NodeProperties>;
  seedProperties: Map<string, NodeProperties>;
  sources: SourceProperties[];
}

/** Reads `dbt_project.yml`, rendering `{{ env_var(...) }}` in its strings with `render`. */
export function readProject(dir: string, render: (text: string) => string): DbtProjectFiles {
  const projectFile = join(dir, 'dbt_project.yml');
  if (!existsSync(projectFile)) throw new Error(`No dbt_project.yml in ${dir}`);
  const renderInFile = (text: string) => {
    try {
      return render(text);
    } catch (error) {
      throw new Error(`${projectFile}: ${(error as Error).message}`);
    }
  };
  const raw = renderStrings(parse(readFileSync(projectFile, 'utf8')) ?? {}, renderInFile) as Record<
    string,
    unknown
  >;
  const name = String(raw.name ?? '');
  if (!name) throw new Error(`${projectFile}: 'name' is required`);
  const paths = (key: string, fallback: string) =>
    (Array.isArray(raw[key]) ? (raw[key] as string[]) : [fallback]).map(String);
  const vars = isRecord(raw.vars) ? raw.vars : {};
  const projectVars = isRecord(vars[name]) ? (vars[name] as Record<string, unknown>) : {};

  const files = (roots: string[], ext: string) =>
    roots.flatMap((root) => walk(join(dir, root), ext).map((abs) => toProjectFile(dir, root, abs, name)));
  const modelPaths = paths('model-paths', 'models');
  const seedPaths = paths('seed-paths', 'seeds');
  const testPaths = paths('test-paths', 'tests');

  const modelProperties = new Map<string, NodeProperties>();
  const seedProperties = new Map<string, NodeProperties>();
  const sources: SourceProperties[] = [];
  for (const root of [...modelPaths, ...seedPaths]) {
    for (const abs of [...walk(join(dir, root), '.yml'), ...walk(join(dir, root), '.yaml')]) {
      const file = toPosix(relative(dir, abs));
      const doc = parse(readFileSync(abs, 'utf8')) as unknown;
      if (!isRecord(doc)) continue;
      for (const m of list(doc.models)) modelProperties.set(String(m.name), { ...m, file } as NodeProperties);
      for (const s of list(doc.seeds)) seedProperties.set(String(s.name), { ...s, file } as NodeProperties);
      for (const s of list(doc.sources)) {
        sources.push({
          name: String(s.name),
          schema: s.schema as string | undefined,
          database: s.database as string | undefined,
          tables: list(s.tables).map((t) => ({ ...t, file }) as SourceProperties['tables'][number]),
          file,
        });
      }
    }
  }

  return {
    dir,
    name,
    profile: String(raw.profile ?? name),
    vars: { ...Object.fromEntries(Object.entries(vars).filter(([k]) => k !== name)), ...projectVars },
    targetPath: String(raw['target-path'] ?? 'target'),
    modelsTree: raw.models,
    seedsTree: raw.seeds,
    testsTree: raw.data_tests ?? raw.tests,
    models: files(modelPaths, '.sql'),
    seeds: files(seedPaths, '.csv'),
    macros: [...files(paths('macro-paths', 'macros'), '.sql'), ...genericTests(dir, testPaths, name)],
    singularTests: files(testPaths, '.sql').filter((f) => !f.path.split('/').includes('generic')),
    modelProperties,
    seedProperties,
    sources,
  };
}

function genericTests(dir: string, testPaths: string[], project: string): ProjectFile[] {
  return testPaths.flatMap((root) =>
    walk(join(dir, root, 'generic'), '.sql').map((abs) => toProjectFile(dir, root, abs, project)),
  );
}

function toProjectFile(dir: string, root: string, abs: string, project: string): ProjectFile {
  const name = basename(abs, extname(abs));
  const folders = toPosix(relative(join(dir, root), abs))
    .split('/')
    .slice(0, -1);
  return {
    name,
    path: toPosix(relative(dir, abs)),
    absPath: abs,
    fqn: [project, ...folders, name],
    source: readFileSync(abs, 'utf8'),
  };
}

function walk(root: string, ext: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const abs = join(root, entry.name);
    if (entry.isDirectory()) out.push(...walk(abs, ext));
    else if (entry.name.endsWith(ext)) out.push(abs);
  }
  return out;
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

const toPosix = (p: string) => p.split(sep).join('/');

/** Renders every string value containing Jinja (`{{` or `{%`) in a parsed yml document. */
export function renderStrings(value: unknown, render: (text: string) => string): unknown {
  if (typeof value === 'string') return value.includes('{{') || value.includes('{%') ? render(value) : value;
  if (Array.isArray(value)) return value.map((v) => renderStrings(v, render));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderStrings(v, render)]));
  }
  return value;
}
