/**
 * The one read across organizations: which organizations the marts serve. It exists for
 * development tooling only — the `start` banner's tokens and GraphiQL's dev token — and no
 * request with a bearer token reaches it; everything a caller asks for goes through the
 * org-scoped repository instead.
 */
import type { Warehouse } from '../warehouse';

/** The organizations with patients in the served marts, sorted; none before the first build. */
export async function listServedOrganizations(warehouse: Warehouse): Promise<string[]> {
  try {
    const rows = await warehouse.query<{ organization_id: string }>(
      'select distinct organization_id from api.dim_patient_api order by organization_id',
    );
    return rows.map((r) => r.organization_id);
  } catch {
    return [];
  }
}
