/**
 * The Jinja dialect of dbt on nunjucks. nunjucks already speaks most of dbt's Jinja
 * (`{%- -%}`, `~`, `loop.*`, macros with keyword arguments, `{% set %}…{% endset %}`); with
 * its Jinja-compat layer it adds `True/False/None`, slices and Python list/dict methods.
 * What this module maps on top, each a faithful translation of the Jinja2 behaviour:
 *
 * - `{{ return(x) }}` ends the enclosing macro and makes the call evaluate to `x` (a thrown
 *   sentinel caught where nunjucks builds every macro, `runtime.makeMacro`).
 * - `{% do expr %}` (Jinja2's `do` extension, on in dbt) evaluates and discards `expr`.
 * - Python string methods (`upper`, `lower`, `strip`, `replace`, `split`, `startswith`, …).
 * - the `none` test, and dbt's `tojson`/`fromjson`/`as_bool`/`as_number`/`as_text`/`as_native`.
 *
 * See: https://docs.getdbt.com/reference/dbt-jinja-functions
 */
import nunjucks from 'nunjucks';

/** Thrown by `return(x)`; caught by the enclosing macro, whose call then evaluates to `x`. */
class ReturnSignal {
  constructor(readonly value: unknown) {}
}

/** An error in a template, with the file and line it came from. */
export class TemplateFailure extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${detail}`);
  }
}

type Runtime = {
  makeMacro: (
    a: string[],
    k: string[],
    f: (...args: unknown[]) => unknown,
  ) => (...args: unknown[]) => unknown;
  memberLookup: (obj: unknown, key: unknown, autoescape?: boolean) => unknown;
};

let installed = false;

/** Installs the process-wide nunjucks adaptations once (idempotent). */
function installDbtDialect(): void {
  if (installed) return;
  installed = true;
  nunjucks.installJinjaCompat();
  const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
  const makeMacro = runtime.makeMacro;
  runtime.makeMacro = (argNames, kwargNames, func) => {
    const macro = makeMacro(argNames, kwargNames, func);
    return function (this: unknown, ...args: unknown[]) {
      try {
        return macro.apply(this, args);
      } catch (error) {
        if (error instanceof ReturnSignal) return error.value;
        throw error;
      }
    };
  };
  const memberLookup = runtime.memberLookup;
  runtime.memberLookup = function (this: unknown, obj, key, autoescape) {
    if (typeof obj === 'string' || obj instanceof nunjucks.runtime.SafeString) {
      const method = STRING_METHODS[key as string];
      if (method) return (...args: unknown[]) => method(String(obj), ...args);
    }
    return memberLookup.call(this, obj, key, autoescape);
  };
}

const pyStrip = (s: string, chars?: unknown, side: 'both' | 'left' | 'right' = 'both') => {
  const set = typeof chars === 'string' ? chars : ' \t\n\r\f\v';
  let a = 0;
  let b = s.length;
  if (side !== 'right') while (a < b && set.includes(s[a]!)) a++;
  if (side !== 'left') while (b > a && set.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
};

const STRING_METHODS: Record<string, (s: string, ...args: unknown[]) => unknown> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  strip: (s, chars) => pyStrip(s, chars),
  lstrip: (s, chars) => pyStrip(s, chars, 'left'),
  rstrip: (s, chars) => pyStrip(s, chars, 'right'),
  replace: (s, from, to) => s.split(String(from)).join(String(to)),
  split: (s, sep) => (typeof sep === 'string' ? s.split(sep) : s.trim().split(/\s+/).filter(Boolean)),
  startswith: (s, prefix) => s.startsWith(String(prefix)),
  endswith: (s, suffix) => s.endsWith(String(suffix)),
  join: (s, items) => (items as unknown[]).map(String).join(s),
  title: (s) => s.replace(/\w\S*/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()),
  capitalize: (s) => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s),
  format: (s, ...args) => {
    let i = 0;
    return s.replace(/\{(\d*)\}/g, (_, n: string) => String(args[n === '' ? i++ : Number(n)]));
  },
};

/** Jinja2's `do` statement: `{% do list.append(x) %}`. */
class DoExtension {
  tags = ['do'];
  // biome-ignore lint/suspicious/noExplicitAny: nunjucks' parser API is untyped
  parse(parser: any, nodes: any): unknown {
    const token = parser.nextToken();
    const args = new nodes.NodeList(token.lineno, token.colno);
    args.addChild(parser.parseExpression());
    parser.advanceAfterBlockEnd(token.value);
    return new nodes.CallExtension(this, 'run', args);
  }
  run(): string {
    return '';
  }
}

/** The `return` function of dbt's Jinja context. */
export function dbtReturn(value: unknown): never {
  throw new ReturnSignal(value);
}

/** A nunjucks environment speaking dbt's Jinja, with `globals` as the shared context. */
export function createJinjaEnvironment(): nunjucks.Environment {
  installDbtDialect();
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
  env.addExtension('do', new DoExtension());
  const tests = env as unknown as { addTest(name: string, fn: (v: unknown) => boolean): void };
  tests.addTest('none', (v) => v === null || v === undefined);
  tests.addTest('boolean', (v) => typeof v === 'boolean');
  env.addFilter('tojson', (v: unknown) => JSON.stringify(v));
  env.addFilter('fromjson', (v: unknown) => JSON.parse(String(v)));
  env.addFilter('as_text', (v: unknown) => String(v));
  env.addFilter('as_number', (v: unknown) => Number(v));
  env.addFilter('as_bool', (v: unknown) => v === true || String(v).toLowerCase() === 'true');
  env.addFilter('as_native', (v: unknown) => v);
  env.addGlobal('return', dbtReturn);
  env.addGlobal('tojson', (v: unknown) => JSON.stringify(v));
  env.addGlobal('fromjson', (v: unknown) => JSON.parse(String(v)));
  return env;
}

/** Compiles `source` eagerly so syntax errors surface with their file and line. */
export function compileTemplate(env: nunjucks.Environment, source: string, file: string): nunjucks.Template {
  try {
    return new nunjucks.Template(source, env, file, true);
  } catch (error) {
    throw toTemplateFailure(error, file);
  }
}

/** Renders a compiled template; errors become a {@link TemplateFailure} naming file and line. */
export function renderTemplate(template: nunjucks.Template, file: string): string {
  try {
    return template.render({});
  } catch (error) {
    throw toTemplateFailure(error, file, 1);
  }
}

/**
 * Maps a nunjucks error (message `(file) [Line n, Column c]\n  Error: detail`) to a
 * TemplateFailure. nunjucks counts lines from 1 in syntax errors and from 0 at render time:
 * `lineOffset` makes both 1-based.
 */
export function toTemplateFailure(error: unknown, file: string, lineOffset = 0): TemplateFailure {
  if (error instanceof TemplateFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  const match = /^\((.*?)\)(?: \[Line (\d+), Column (\d+)\])?\n\s*([\s\S]*)$/.exec(message);
  if (!match) return new TemplateFailure(file, undefined, message);
  const detail = match[4]!.replace(/^(Template render error|Error): /, '').replace(/^Error: /, '');
  return new TemplateFailure(file, match[2] ? Number(match[2]) + lineOffset : undefined, detail.trim());
}
