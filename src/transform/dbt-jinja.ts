/**
 * dbt's Jinja context on one nunjucks environment: `ref`, `source`, `config`, `var`,
 * `env_var`, `target`, `this`, `model`, `invocation_id`, `run_started_at`, `adapter.dispatch`,
 * `log`, `exceptions`, `is_incremental`, `execute`, and every macro of the project (project
 * macros override built-ins of the same name). Rendering is synchronous, so the per-node
 * values (`this`, `model`, the recorded refs) are swapped in around each render.
 * See: https://docs.getdbt.com/reference/dbt-jinja-functions
 */
import type nunjucks from 'nunjucks';
import { compileTemplate, createJinjaEnvironment, renderTemplate, TemplateFailure } from './jinja';
import { isRecord, mergeConfig, type NodeConfig } from './node-config';
import type { Target } from './profile';
import type { ProjectFile } from './project';
import type { Relation } from './relation';
import { createRunStartedAt } from './run-started-at';

/** What one render records and sees: the node's config and relation, the refs it made. */
export interface RenderScope {
  config: NodeConfig;
  this?: Relation;
  model?: Record<string, unknown>;
  refs: { name: string; package?: string }[];
  sources: { source: string; table: string }[];
  /** False while parsing (dbt's first pass), true when compiling for execution. */
  execute: boolean;
}

export interface DbtJinja {
  target: Target;
  compile(source: string, file: string): nunjucks.Template;
  render(template: nunjucks.Template, file: string, scope: RenderScope): string;
  renderString(text: string, file: string, scope?: RenderScope): string;
  /** Evaluates a Jinja expression (`ref('x')`) to its value. */
  evaluate(expression: string, file: string, scope: RenderScope): unknown;
  loadMacros(files: readonly Pick<ProjectFile, 'path' | 'source'>[]): void;
  macro(name: string): ((...args: unknown[]) => unknown) | undefined;
}

export interface DbtJinjaOptions {
  target: Target;
  projectName: string;
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  invocationId: string;
  runStartedAt: Date;
  command: string;
  ref: (name: string, pkg: string | undefined, scope: RenderScope) => Relation;
  source: (source: string, table: string, scope: RenderScope) => Relation;
  output: (line: string) => void;
}

type Args = { positional: unknown[]; kwargs: Record<string, unknown> };
const splitArgs = (args: unknown[]): Args => {
  const last = args[args.length - 1];
  if (isRecord(last) && last.__keywords) {
    const { __keywords: _, ...kwargs } = last;
    return { positional: args.slice(0, -1), kwargs };
  }
  return { positional: args, kwargs: {} };
};

/** A compiler error as dbt raises it, e.g. from `exceptions.raise_compiler_error`. */
export class CompilerError extends Error {}

export function createDbtJinja(options: DbtJinjaOptions): DbtJinja {
  const env = createJinjaEnvironment();
  const macros = new Map<string, (...args: unknown[]) => unknown>();
  const empty = (): RenderScope => ({
    config: { tags: [], enabled: true },
    refs: [],
    sources: [],
    execute: false,
  });
  let scope = empty();

  const config = (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    mergeConfig(scope.config, { ...(isRecord(positional[0]) ? positional[0] : {}), ...kwargs });
    return '';
  };
  config.get = (key: string, fallback?: unknown) => scope.config[key] ?? fallback ?? null;
  config.require = (key: string) => {
    if (scope.config[key] === undefined) throw new CompilerError(`Required config '${key}' is not set`);
    return scope.config[key];
  };
  const ref = (...args: unknown[]) => {
    const { positional } = splitArgs(args);
    const [pkg, name] =
      positional.length > 1
        ? [String(positional[0]), String(positional[1])]
        : [undefined, String(positional[0])];
    scope.refs.push({ name, package: pkg });
    return options.ref(name, pkg, scope);
  };
  const source = (sourceName: unknown, table: unknown) => {
    scope.sources.push({ source: String(sourceName), table: String(table) });
    return options.source(String(sourceName), String(table), scope);
  };
  const dispatch = (name: string, _namespace?: string) => {
    for (const candidate of [`${options.target.type}__${name}`, `default__${name}`]) {
      const fn = macros.get(candidate);
      if (fn) return fn;
    }
    throw new CompilerError(
      `adapter.dispatch: no macro '${options.target.type}__${name}' or 'default__${name}' found`,
    );
  };
  let captured: unknown;

  const globals: Record<string, unknown> = {
    ref,
    source,
    config,
    builtins: { ref, source, config },
    var: (name: string, ...rest: unknown[]) => {
      if (name in options.vars) return options.vars[name];
      if (rest.length > 0 && !(isRecord(rest[0]) && rest[0].__keywords)) return rest[0];
      throw new CompilerError(`Required var '${name}' not found in config`);
    },
    env_var: (name: string, ...rest: unknown[]) => {
      const value = options.env[name];
      if (value !== undefined) return value;
      if (rest.length > 0) return rest[0];
      throw new CompilerError(`Env var required but not provided: '${name}'`);
    },
    target: options.target,
    project_name: options.projectName,
    invocation_id: options.invocationId,
    run_started_at: createRunStartedAt(options.runStartedAt),
    adapter: {
      dispatch,
      type: () => options.target.type,
      quote: (s: unknown) => `"${String(s)}"`,
    },
    exceptions: {
      raise_compiler_error: (message: unknown) => {
        throw new CompilerError(String(message));
      },
      warn: (message: unknown) => {
        options.output(`[WARNING]: ${String(message)}`);
        return '';
      },
    },
    log: (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      if (positional[1] === true || kwargs.info === true) options.output(String(positional[0]));
      return '';
    },
    print: (message: unknown) => {
      options.output(String(message));
      return '';
    },
    dict: (...args: unknown[]) => splitArgs(args).kwargs,
    is_incremental: () => false,
    should_full_refresh: () => true,
    flags: { FULL_REFRESH: false, WHICH: options.command },
    __capture: (value: unknown) => {
      captured = value;
      return '';
    },
  };
  for (const [name, value] of Object.entries(globals)) env.addGlobal(name, value);

  const withScope = <T>(next: RenderScope, fn: () => T): T => {
    const previous = scope;
    scope = next;
    env.addGlobal('this', next.this ?? null);
    env.addGlobal('model', next.model ?? null);
    env.addGlobal('execute', next.execute);
    try {
      return fn();
    } finally {
      scope = previous;
      env.addGlobal('this', previous.this ?? null);
      env.addGlobal('model', previous.model ?? null);
      env.addGlobal('execute', previous.execute);
    }
  };
  const cache = new Map<string, nunjucks.Template>();
  const compileCached = (source: string, file: string) => {
    const key = `${file}\u0000${source}`;
    let template = cache.get(key);
    if (!template) {
      template = compileTemplate(env, source, file);
      cache.set(key, template);
    }
    return template;
  };

  return {
    target: options.target,
    compile: (source, file) => compileTemplate(env, source, file),
    render: (template, file, next) => withScope(next, () => renderTemplate(template, file)),
    renderString: (text, file, next) =>
      withScope(next ?? empty(), () => renderTemplate(compileCached(text, file), file)),
    evaluate: (expression, file, next) =>
      withScope(next, () => {
        captured = undefined;
        renderTemplate(compileCached(`{% do __capture(${expression}) %}`, file), file);
        return captured;
      }),
    loadMacros(files) {
      for (const file of files) {
        const template = compileTemplate(env, translateTestBlocks(file.source), file.path);
        let exported: Record<string, unknown> = {};
        (template as unknown as { getExported: GetExported }).getExported({}, null, (error, result) => {
          if (error) throw new TemplateFailure(file.path, undefined, error.message);
          exported = result;
        });
        for (const [name, fn] of Object.entries(exported)) {
          if (typeof fn !== 'function') continue;
          const wrapped = annotateErrors(name, file.path, fn as (...a: unknown[]) => unknown);
          macros.set(name, wrapped);
          env.addGlobal(name, wrapped);
        }
      }
    },
    macro: (name) => macros.get(name),
  };
}

type GetExported = (
  ctx: object,
  frame: null,
  cb: (error: Error | null, exported: Record<string, unknown>) => void,
) => void;

/** dbt turns `{% test name(...) %}…{% endtest %}` into the macro `test_name`; so do we. */
function translateTestBlocks(source: string): string {
  return source
    .replace(/\{%(-?)\s*test\s+(\w+)\s*\(/g, '{%$1 macro test_$2(')
    .replace(/\{%(-?)\s*endtest\s*(-?)%\}/g, '{%$1 endmacro $2%}');
}

function annotateErrors(name: string, file: string, fn: (...args: unknown[]) => unknown) {
  return function (this: unknown, ...args: unknown[]) {
    try {
      return fn.apply(this, args);
    } catch (error) {
      if (!(error instanceof Error) || error instanceof CompilerError) throw error;
      const wrapped = new Error(`in macro ${name} (${file}): ${error.message}`);
      throw wrapped;
    }
  };
}
