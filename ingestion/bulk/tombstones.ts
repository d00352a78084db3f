/**
 * A manifest's `deleted` files hold transaction Bundles whose entries are `DELETE <Type>/<id>`.
 * Each entry becomes a tombstone: a minimal resource of that type and id, tagged as deleted and
 * dated at the export's transactionTime, landed like any other version. The raw tables keep it as
 * the newest version, and the staging vault models' latest-version-wins rule (dbt macro
 * `latest_version`) then drops the resource from every mart.
 * See: https://hl7.org/fhir/uv/bulkdata/export.html#response---complete-status (deleted)
 */

/** The `meta.tag` that marks a tombstone (read by dbt's `is_tombstone` macro). */
export const TOMBSTONE_TAG = { system: 'urn:fhir-gateway:tombstone', code: 'deleted' } as const;

export interface Tombstone {
  type: string;
  id: string;
  /** The NDJSON line landed for it. */
  json: string;
}

/** The tombstones of one `deleted` line, or the reason it cannot be read as one. */
export function tombstonesOf(
  text: string,
  transactionTime: string,
): { ok: true; tombstones: Tombstone[] } | { ok: false; reason: string } {
  let bundle: { resourceType?: unknown; entry?: unknown };
  try {
    bundle = JSON.parse(text) as typeof bundle;
  } catch {
    return { ok: false, reason: 'not-json: the deleted line is not valid JSON' };
  }
  if (bundle?.resourceType !== 'Bundle' || !Array.isArray(bundle.entry) || bundle.entry.length === 0) {
    return { ok: false, reason: 'not-a-deletion-bundle: a deleted line must be a Bundle with entries' };
  }
  const tombstones: Tombstone[] = [];
  for (const entry of bundle.entry as { request?: { method?: unknown; url?: unknown } }[]) {
    const method = entry?.request?.method;
    const url = entry?.request?.url;
    const m =
      typeof url === 'string' ? /^(?:.*\/)?([A-Z][A-Za-z]{0,63})\/([A-Za-z0-9\-.]{1,64})$/.exec(url) : null;
    if (method !== 'DELETE' || !m) {
      return {
        ok: false,
        reason: 'not-a-deletion-entry: every entry needs request.method DELETE and url <Type>/<id>',
      };
    }
    const [, type, id] = m as unknown as [string, string, string];
    const resource = { resourceType: type, id, meta: { lastUpdated: transactionTime, tag: [TOMBSTONE_TAG] } };
    tombstones.push({ type, id, json: JSON.stringify(resource) });
  }
  return { ok: true, tombstones };
}
