/**
 * The connection target from `profiles.yml`: the project's profile, the target named by
 * `--target` (default: the profile's `target`), strings rendered (`env_var()`). The file is
 * looked up in `DBT_PROFILES_DIR` (from the env map) and then in the project directory.
 * See: https://docs.getdbt.com/docs/core/connect-data-platform/profiles.yml
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse } from 'yaml';
import { TemplateFailure } from './jinja';
import { isRecord } from './node-config';
import { renderStrings } from './project';

export interface Target {
  name: string;
  type: string;
  schema: string;
  database?: string;
  threads: number;
  profile_name: string;
  [key: string]: unknown;
}

/** Resolves the target; with no profiles.yml at all, a local DuckDB target named `duckdb`. */
export function readTarget(options: {
  projectDir: string;
  profile: string;
  target?: string;
  env: Record<string, string | undefined>;
  render: (text: string) => string;
}): Target {
  const dirs = [options.env.DBT_PROFILES_DIR, options.projectDir].filter((d): d is string => !!d);
  const file = dirs.map((d) => join(d, 'profiles.yml')).find((f) => existsSync(f));
  if (!file) {
    if (options.target && options.target !== 'duckdb')
      throw new Error(`No profiles.yml found (looked in ${dirs.join(', ')}) for target '${options.target}'`);
    return { name: 'duckdb', type: 'duckdb', schema: 'main', threads: 1, profile_name: options.profile };
  }
  const doc = parse(readFileSync(file, 'utf8')) as unknown;
  const profile = isRecord(doc) ? doc[options.profile] : undefined;
  if (!isRecord(profile) || !isRecord(profile.outputs))
    throw new Error(`${file}: no profile '${options.profile}' with outputs`);
  const name = options.target ?? String(renderStrings(profile.target ?? '', options.render));
  const output = profile.outputs[name];
  if (!isRecord(output)) {
    const known = Object.keys(profile.outputs).join(', ');
    throw new Error(`${file}: profile '${options.profile}' has no target '${name}' (targets: ${known})`);
  }
  let rendered: Record<string, unknown>;
  try {
    rendered = renderStrings(output, options.render) as Record<string, unknown>;
  } catch (error) {
    const detail = error instanceof TemplateFailure ? error.detail : (error as Error).message;
    throw new Error(`${file}: target '${name}': ${detail}`);
  }
  const type = String(rendered.type ?? '');
  if (!type) throw new Error(`${file}: target '${name}' has no type`);
  const database =
    rendered.database !== undefined
      ? String(rendered.database)
      : type === 'duckdb'
        ? duckDbDatabaseName(rendered.path)
        : undefined;
  return {
    ...rendered,
    name,
    type,
    schema: String(rendered.schema ?? (type === 'duckdb' ? 'main' : 'public')),
    database,
    threads: Number(rendered.threads ?? 1),
    profile_name: options.profile,
  };
}

/** dbt-duckdb names the database after the file (`warehouse.duckdb` → `warehouse`). */
function duckDbDatabaseName(path: unknown): string {
  if (typeof path !== 'string' || path === ':memory:' || path === '') return 'memory';
  return basename(path, extname(path));
}
