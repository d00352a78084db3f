/**
 * dbt's hierarchical node configuration: `dbt_project.yml`'s `models:`/`seeds:`/`data_tests:`
 * trees (keys with `+` — or a known config name — are configs, other keys are folders or
 * node names), then the `config:` of the node's properties yml, then `config()` in the file.
 * `tags` accumulate and dict configs (`contract`, `meta`, `column_types`) merge, as in dbt.
 * See: https://docs.getdbt.com/reference/configs-and-properties
 */
export interface NodeConfig {
  materialized?: string;
  schema?: string;
  alias?: string;
  database?: string;
  tags: string[];
  enabled: boolean;
  contract?: { enforced?: boolean };
  severity?: string;
  where?: string;
  column_types?: Record<string, string>;
  [key: string]: unknown;
}

const KNOWN_KEYS = new Set([
  'materialized',
  'schema',
  'alias',
  'database',
  'tags',
  'enabled',
  'contract',
  'persist_docs',
  'pre-hook',
  'post-hook',
  'docs',
  'meta',
  'grants',
  'column_types',
  'quote_columns',
  'delimiter',
  'severity',
  'where',
  'limit',
  'warn_if',
  'error_if',
  'store_failures',
  'full_refresh',
  'on_schema_change',
  'unique_key',
  'incremental_strategy',
  'access',
  'group',
  'transient',
  'copy_grants',
]);
const MERGED = new Set(['contract', 'meta', 'column_types', 'docs', 'persist_docs', 'grants']);

/** A fresh configuration with dbt's defaults for the resource type. */
export function defaultConfig(resourceType: 'model' | 'seed' | 'test'): NodeConfig {
  if (resourceType === 'model') return { materialized: 'view', tags: [], enabled: true };
  if (resourceType === 'seed') return { materialized: 'seed', tags: [], enabled: true };
  return { materialized: 'test', tags: [], enabled: true, severity: 'error' };
}

/** Merges `patch` into `config` in place with dbt's rules (tags add up, dicts merge). */
export function mergeConfig(config: NodeConfig, patch: Record<string, unknown> | undefined): NodeConfig {
  if (!patch) return config;
  for (const [rawKey, value] of Object.entries(patch)) {
    if (rawKey === '__keywords') continue;
    const key = rawKey.startsWith('+') ? rawKey.slice(1) : rawKey;
    if (key === 'tags') {
      const tags = Array.isArray(value) ? value.map(String) : [String(value)];
      config.tags = [...new Set([...config.tags, ...tags])];
    } else if (MERGED.has(key) && isRecord(value)) {
      config[key] = { ...(isRecord(config[key]) ? config[key] : {}), ...value };
    } else {
      config[key] = value;
    }
  }
  return config;
}

/** Applies the project tree along a node's fqn (`[project, ...folders, name]`). */
export function applyProjectTree(config: NodeConfig, tree: unknown, fqn: readonly string[]): NodeConfig {
  let level = isRecord(tree) ? tree[fqn[0]!] : undefined;
  for (let i = 1; isRecord(level); i++) {
    mergeConfig(config, configEntries(level));
    if (i >= fqn.length) break;
    level = level[fqn[i]!];
  }
  return config;
}

function configEntries(level: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(level)) {
    if (key.startsWith('+') || KNOWN_KEYS.has(key)) out[key] = value;
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
