/**
 * The shape of the house, checked on the TypeScript imports of `src/`, `resolvers/` and
 * `ingestion/` (unit tests left out: a test may reach anywhere): no import circles, no layer
 * importing past the one it is built on (ARCHITECTURE.md: producers → lake → warehouse →
 * repository → resolvers → doors), `process.env` read only by `src/config.ts`, and the README's
 * folder table naming exactly the folders on disk.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCANNED = ['src', 'resolvers', 'ingestion'];

/**
 * Who may not import whom. A module under `from` may not import one under any of `mayNotImport`
 * (paths are prefixes, relative to the repository root).
 */
const DOORS = ['src/rest/', 'src/graphql/', 'src/doors/', 'src/handlers/'];
const RULES: { from: string[]; mayNotImport: string[]; why: string }[] = [
  {
    from: DOORS,
    mayNotImport: ['src/warehouse/', 'src/repository/'],
    why: 'doors call resolvers; only resolvers turn a request for data into repository calls',
  },
  {
    from: ['resolvers/'],
    mayNotImport: ['src/warehouse/', ...DOORS],
    why: 'resolvers get the org-scoped repository from the context, never the raw warehouse, and know no door',
  },
  {
    from: ['src/repository/'],
    mayNotImport: ['resolvers/', ...DOORS],
    why: 'the repository is below the resolvers and the doors',
  },
  {
    from: ['src/warehouse/'],
    mayNotImport: ['src/repository/', 'resolvers/', ...DOORS, 'ingestion/'],
    why: 'the warehouse port and its adapters depend on nothing above them',
  },
  {
    from: ['src/object-store/'],
    mayNotImport: ['src/repository/', 'resolvers/', ...DOORS, 'ingestion/'],
    why: 'the object-store port and its adapters depend on nothing above them',
  },
  {
    from: ['src/fhir/'],
    mayNotImport: ['src/warehouse/', 'src/repository/', 'resolvers/', ...DOORS],
    why: 'src/fhir/ keeps what is FHIR and nothing of the warehouse or the doors',
  },
  {
    from: ['ingestion/'],
    mayNotImport: ['src/repository/', 'resolvers/', ...DOORS],
    why: 'producers and the lake feed the warehouse; they never read the served marts or call a door',
  },
];

/**
 * Imports allowed to break the layer rules, `from → to`, each with its reason (none today). The
 * test fails on an entry that no longer matches, so a fixed breach leaves the list.
 */
const KNOWN_BREACHES: Record<string, string> = {};

/** Modules other than `src/config.ts` that may name `process.env`, and why. */
const ENV_EXCEPTIONS: Record<string, string> = {
  'src/handlers/lambda.ts': 'the Lambda entry passes process.env (secrets resolved) to loadConfig',
  'src/warehouse/snowflake-warehouse.ts':
    'sets SF_OCSP_RESPONSE_CACHE_DIR, which snowflake-sdk reads from the environment only (a write)',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The module specifiers a file imports or re-exports, static and dynamic, type-only included. */
function specifiers(text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((s) => s.startsWith('.'));
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = join(dirname(from), specifier);
  const candidates = [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    join(base, 'index.ts'),
    base.replace(/\.js$/, '.ts'),
  ];
  return candidates.find((c) => {
    try {
      return statSync(join(ROOT, c)).isFile();
    } catch {
      return false;
    }
  });
}

const FILES = SCANNED.flatMap(sourceFiles).map((f) => relative(ROOT, join(ROOT, f)));
const GRAPH = new Map<string, string[]>(
  FILES.map((file) => [
    file,
    specifiers(readFileSync(join(ROOT, file), 'utf8'))
      .map((s) => resolveImport(file, s))
      .filter((t): t is string => t !== undefined),
  ]),
);

/** The circles a depth-first walk meets (one per back edge), each as `a → b → … → a`. */
function circles(graph: Map<string, string[]>): string[] {
  const found = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const loop = stack.slice(stack.indexOf(next));
        // One spelling per circle: start at its smallest module.
        const start = loop.indexOf([...loop].sort()[0]!);
        const canonical = [...loop.slice(start), ...loop.slice(0, start)];
        found.add([...canonical, canonical[0]].join(' → '));
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...found].sort();
}

function breaches(): string[] {
  const out: string[] = [];
  for (const [from, targets] of GRAPH) {
    for (const to of targets) {
      const rule = RULES.find(
        (r) => r.from.some((p) => from.startsWith(p)) && r.mayNotImport.some((p) => to.startsWith(p)),
      );
      // A door's own subfolders (src/graphql/armor) are the door itself.
      if (rule && !DOORS.some((d) => from.startsWith(d) && to.startsWith(d))) out.push(`${from} → ${to}`);
    }
  }
  return out.sort();
}

describe('the import graph of src/, resolvers/ and ingestion/', () => {
  it('finds the modules and their imports', () => {
    // Guards the walk itself: an empty graph would pass everything below.
    expect(GRAPH.size).toBeGreaterThan(100);
    expect(GRAPH.get('src/app.ts')).toContain('src/config.ts');
    expect(GRAPH.get('src/graphql/graphql-handler.ts')).toContain('src/graphql/armor/index.ts');
  });

  it('has no import circle', () => {
    expect(circles(GRAPH)).toEqual([]);
  });

  it('detects a circle when there is one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(circles(graph)).toEqual(['a.ts → b.ts → c.ts → a.ts']);
  });

  it('has no layer importing past the one below it (doors → resolvers → repository → warehouse)', () => {
    const found = breaches();
    expect(found.filter((b) => !(b in KNOWN_BREACHES))).toEqual([]);
    // Every allowed breach still exists: a fixed one must leave the list.
    expect(Object.keys(KNOWN_BREACHES).filter((b) => !found.includes(b))).toEqual([]);
  });

  it('reads process.env only in src/config.ts', () => {
    const readers = FILES.filter((f) => /\bprocess\.env\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(readers.filter((f) => f !== 'src/config.ts' && !(f in ENV_EXCEPTIONS))).toEqual([]);
    expect(Object.keys(ENV_EXCEPTIONS).filter((f) => !readers.includes(f))).toEqual([]);
  });
});

describe("the README's folder table", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  /** The folders (`name/`) named in the table row of `folder`. */
  const named = (folder: string): string[] => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${folder}/\` |`));
    expect(row, `README has a folder-table row for ${folder}/`).toBeDefined();
    const cell = row!.split('|')[2]!;
    return [...new Set([...cell.matchAll(/`([a-z][a-z0-9-]*)\/`/g)].map((m) => m[1]!))].sort();
  };
  const onDisk = (folder: string): string[] =>
    readdirSync(join(ROOT, folder), { withFileTypes: true })
      // Git keeps no empty folder: one left behind by a move is not part of the tree.
      .filter((e) => e.isDirectory() && readdirSync(join(ROOT, folder, e.name)).length > 0)
      .map((e) => e.name)
      .sort();

  it('names exactly the top-level folders under src/', () => {
    expect(named('src')).toEqual(onDisk('src'));
  });

  it('names exactly the folders under ingestion/', () => {
    expect(named('ingestion')).toEqual(onDisk('ingestion'));
  });
});
