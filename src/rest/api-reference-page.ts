/**
 * The API reference page: `schema/openapi.yaml` rendered on the server into one HTML document
 * with inline styles and no script, so it needs nothing beyond the gateway itself.
 * See: https://spec.openapis.org/oas/v3.0.3
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  $ref?: string;
  items?: Schema;
}
interface Parameter {
  $ref?: string;
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Operation {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { $ref?: string; content?: Record<string, unknown>; description?: string };
  responses?: Record<string, { $ref?: string; description?: string }>;
  security?: unknown[];
}
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation | Parameter[]>>;
  components?: Record<string, Record<string, unknown>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * Where `schema/openapi.yaml` is looked for: beside the sources, then under the working directory
 * (a bundled Lambda ships `schema/` next to its handler, in `/var/task`).
 */
const OPENAPI_CANDIDATES = [
  fileURLToPath(new URL('../../schema/openapi.yaml', import.meta.url)),
  join(process.cwd(), 'schema', 'openapi.yaml'),
];

let cached: { yaml: string; document: OpenApiDocument } | undefined;

/** Reads and parses `schema/openapi.yaml` once. */
export function loadOpenApi(): { yaml: string; document: OpenApiDocument } {
  if (!cached) {
    const path = OPENAPI_CANDIDATES.find((p) => existsSync(p));
    if (!path) throw new Error(`schema/openapi.yaml not found (looked in ${OPENAPI_CANDIDATES.join(', ')})`);
    const yaml = readFileSync(path, 'utf8');
    cached = { yaml, document: parse(yaml) as OpenApiDocument };
  }
  return cached;
}

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

function deref<T>(doc: OpenApiDocument, value: T & { $ref?: string }): T {
  if (!value.$ref) return value;
  const [, , section, name] = value.$ref.split('/');
  return (doc.components?.[section!]?.[name!] ?? value) as T;
}

function schemaText(doc: OpenApiDocument, schema: Schema | undefined): string {
  if (!schema) return '';
  if (schema.$ref) return schema.$ref.split('/').pop()!;
  if (schema.type === 'array') return `${schemaText(doc, schema.items)}[]`;
  const base = schema.format ? `${schema.type} (${schema.format})` : (schema.type ?? '');
  return schema.enum ? `${base}: ${schema.enum.join(' | ')}` : base;
}

function renderOperation(
  doc: OpenApiDocument,
  path: string,
  method: string,
  op: Operation,
  shared: Parameter[],
) {
  const params = [...shared, ...(op.parameters ?? [])].map((p) => deref(doc, p));
  const body = op.requestBody ? deref(doc, op.requestBody) : undefined;
  const rows = params
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <b>*</b>' : ''}</td><td>${esc(p.in)}</td>` +
        `<td>${esc(schemaText(doc, p.schema))}</td><td>${esc(p.description)}</td></tr>`,
    )
    .join('');
  const responses = Object.entries(op.responses ?? {})
    .map(([status, r]) => `<li><code>${esc(status)}</code> ${esc(deref(doc, r).description)}</li>`)
    .join('');
  return `<section class="op" id="${esc(`${method}-${path}`)}">
<h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
${op.summary ? `<p>${esc(op.summary)}</p>` : ''}${op.description ? `<p class="d">${esc(op.description)}</p>` : ''}
${rows ? `<table><thead><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>${rows}</tbody></table>` : ''}
${
  body
    ? `<p>Request body: ${Object.keys(body.content ?? {})
        .map((t) => `<code>${esc(t)}</code>`)
        .join(', ')}</p>`
    : ''
}
<ul class="r">${responses}</ul>
</section>`;
}

/** Renders the reference page of an OpenAPI document. */
export function renderApiReference(doc: OpenApiDocument): string {
  const sections: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const shared = (item.parameters as Parameter[] | undefined) ?? [];
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      sections.push(renderOperation(doc, path, method, op, shared));
      toc.push(
        `<li><a href="#${esc(`${method}-${path}`)}"><span class="m ${method}">${method.toUpperCase()}</span> ${esc(path)}</a></li>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} — API reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;display:flex}
nav{width:320px;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f6fa;padding:1rem;box-sizing:border-box;font-size:13px}
nav ul{list-style:none;padding:0}nav a{color:inherit;text-decoration:none}
main{flex:1;padding:1.5rem 2.5rem;max-width:960px}
.op{border-top:1px solid #dde2ea;padding:.5rem 0 1rem}
.m{display:inline-block;min-width:3.5em;text-align:center;border-radius:4px;color:#fff;font-size:12px;font-weight:600;padding:1px 4px}
.get{background:#2f7d32}.post{background:#1565c0}.put,.patch{background:#8d6e00}.delete{background:#c62828}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{border:1px solid #dde2ea;padding:4px 8px;text-align:left;vertical-align:top}
code{font-family:ui-monospace,monospace}.d{color:#4a5262}
</style></head>
<body><nav><strong>${esc(doc.info.title)}</strong> <small>${esc(doc.info.version)}</small>
<p><a href="/openapi.yaml">openapi.yaml</a> · <a href="/graphql">GraphiQL</a></p><ul>${toc.join('')}</ul></nav>
<main><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p>
${sections.join('\n')}
</main></body></html>`;
}
