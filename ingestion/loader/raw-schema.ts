/**
 * The raw zone the loader fills (the local stand-in for Snowpipe's tables): one table per
 * resource type, a load history keyed by object key, and a per-batch ledger.
 */
import type { Warehouse } from '../../src/warehouse';
import { SUPPORTED_TYPES, type SupportedType } from '../ndjson';

/** `raw.fhir_<type>` for a supported resource type. */
export function rawTable(type: SupportedType): string {
  return `raw.fhir_${type.toLowerCase()}`;
}

/** The raw tables' columns, in order (the loader appends values in this order). */
export const RAW_COLUMNS = [
  'organization_id',
  'resource_type',
  'resource_id',
  'raw',
  'source_file',
  'source_row',
  'loaded_at',
] as const;

export const LOAD_HISTORY = 'raw.load_history';
export const LOAD_LEDGER = 'raw.load_ledger';

/** Creates the raw schema, tables, history and ledger if they are missing (idempotent). */
export async function ensureRawSchema(warehouse: Warehouse): Promise<void> {
  const tables = SUPPORTED_TYPES.map(
    (type) => `create table if not exists ${rawTable(type)} (
      organization_id varchar not null,
      resource_type varchar not null,
      resource_id varchar not null,
      raw json not null,
      source_file varchar not null,
      source_row integer not null,
      loaded_at timestamp not null
    );`,
  ).join('\n');
  const loadedRows = SUPPORTED_TYPES.map(
    (type) => `select source_file, count(*) as n from ${rawTable(type)} group by source_file`,
  ).join('\n      union all ');
  await warehouse.execute(`
    create schema if not exists raw;
    ${tables}
    create table if not exists ${LOAD_HISTORY} (
      object_key varchar primary key,
      batch_id varchar not null,
      organization_id varchar not null,
      resource_type varchar not null,
      bytes bigint not null,
      lines_seen integer not null,
      lines_loaded integer not null,
      lines_quarantined integer not null,
      quarantine_key varchar,
      loaded_at timestamp not null
    );
    create or replace view ${LOAD_LEDGER} as
    with loaded as (
      ${loadedRows}
    )
    select
      h.batch_id,
      count(*) as files,
      sum(h.bytes) as bytes,
      sum(h.lines_seen) as lines_seen,
      sum(h.lines_loaded) as lines_loaded,
      coalesce(sum(l.n), 0) as rows_in_raw,
      sum(h.lines_quarantined) as lines_quarantined,
      min(h.loaded_at) as first_loaded_at,
      max(h.loaded_at) as last_loaded_at
    from ${LOAD_HISTORY} as h
    left join loaded as l on l.source_file = h.object_key
    group by h.batch_id;
  `);
}
