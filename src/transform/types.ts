import type { Warehouse } from '../warehouse';

/** What `runTransform` does and where. */
export interface TransformOptions {
  /** The warehouse to build in; when absent, the DuckDB file of the profile's target is opened. */
  warehouse?: Warehouse;
  /** The dbt project directory (default `dbt`). */
  projectDir?: string;
  command: 'build' | 'run' | 'test' | 'seed' | 'compile';
  /** A target of the project's profile (default: the profile's `target`). */
  target?: string;
  /** dbt selectors: `name`, `name+`, `+name`, `path:…`, `tag:…`. */
  select?: string[];
  /** What `env_var()` sees (the runner never reads `process.env`). */
  env: Record<string, string | undefined>;
  /** Receives each console line (default: stdout). */
  output?: (line: string) => void;
}

export interface TransformResult {
  ok: boolean;
  /** dbt's `invocation_id`: a UUID per run. */
  invocationId: string;
  results: {
    /** The node's unique id (`model.<project>.<name>`, `test.<project>.<name>`, …). */
    node: string;
    status: 'success' | 'pass' | 'fail' | 'warn' | 'error' | 'skipped';
    seconds: number;
    message?: string;
  }[];
}
