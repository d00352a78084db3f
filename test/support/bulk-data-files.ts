/** The files one export of the test Bulk Data server holds: output NDJSON per type, deleted Bundles, errors. */
import type { BulkDataServerOptions } from './bulk-data-server';

export interface ExportFile {
  index: number;
  kind: 'output' | 'deleted' | 'error';
  type: string;
  lines: number;
  body: Buffer;
}

/** Splits what the server holds into files, honouring `_type` and `_since` (meta.lastUpdated after it). */
export function buildExportFiles(
  options: BulkDataServerOptions,
  filter: { types: string[] | null; since: number | null },
): ExportFile[] {
  const files: ExportFile[] = [];
  const perFile = options.linesPerFile ?? 1000;
  const add = (kind: ExportFile['kind'], type: string, lines: string[]) => {
    const body = Buffer.from(`${lines.join('\n')}\n`);
    const copies = kind === 'output' ? (options.repeatFiles ?? 1) : 1;
    for (let i = 0; i < copies; i++)
      files.push({ index: files.length, kind, type, lines: lines.length, body });
  };
  for (const [type, all] of options.resources) {
    if (filter.types && !filter.types.includes(type)) continue;
    const lines = all.filter((line) => {
      if (filter.since === null) return true;
      const updated = /"lastUpdated":"([^"]+)"/.exec(line)?.[1];
      return updated !== undefined && Date.parse(updated) > filter.since;
    });
    const extra = options.extraLines?.[type] ?? [];
    for (let i = 0; i < Math.max(lines.length, 1); i += perFile) {
      const chunk = lines.slice(i, i + perFile);
      add('output', type, i === 0 ? [...chunk, ...extra] : chunk);
    }
  }
  const deleted = (options.deleted ?? []).filter((d) => !filter.types || filter.types.includes(d.type));
  if (deleted.length > 0) {
    add(
      'deleted',
      'Bundle',
      deleted.map((d) =>
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [{ request: { method: 'DELETE', url: `${d.type}/${d.id}` } }],
        }),
      ),
    );
  }
  if (options.errors?.length)
    add(
      'error',
      'OperationOutcome',
      options.errors.map((e) => JSON.stringify(e)),
    );
  return files;
}
