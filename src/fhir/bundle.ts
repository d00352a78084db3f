/**
 * Search-set Bundles, assembled as text: each entry's `resource` is the mart's JSON spliced
 * in as stored, never parsed and re-serialized on the hot path.
 * See: https://hl7.org/fhir/R4/bundle.html and https://hl7.org/fhir/R4/http.html#search
 */
import type { SearchRequest } from './search-request';

export interface BundleInput {
  /** The FHIR base, e.g. `https://api.example.org/v1/fhir`. */
  baseUrl: string;
  request: SearchRequest;
  /** The served resources (JSON text) with their ids. */
  entries: readonly { id: string; resource: string }[];
  nextCursor?: string;
  total?: number;
  /** The cursor of the page being returned, for the `self` link. */
  cursor?: string;
}

/** Builds the JSON text of a `searchset` Bundle with `self` and `next` links. */
export function buildSearchBundle(input: BundleInput): string {
  const { baseUrl, request } = input;
  const typeUrl = `${baseUrl}/${request.type}`;
  const link = (relation: string, params: [string, string][]) =>
    `{"relation":${JSON.stringify(relation)},"url":${JSON.stringify(
      params.length ? `${typeUrl}?${new URLSearchParams(params).toString()}` : typeUrl,
    )}}`;
  const base = request.recognized.filter(([n]) => n !== '_count');
  const withCount: [string, string][] = [...base, ['_count', String(request.count)]];
  const links = [link('self', input.cursor ? [...withCount, ['_cursor', input.cursor]] : withCount)];
  if (input.nextCursor) links.push(link('next', [...withCount, ['_cursor', input.nextCursor]]));
  const parts = ['{"resourceType":"Bundle","type":"searchset"'];
  if (input.total !== undefined) parts.push(`,"total":${input.total}`);
  parts.push(`,"link":[${links.join(',')}]`);
  if (input.entries.length) {
    parts.push(',"entry":[');
    input.entries.forEach((e, i) => {
      if (i) parts.push(',');
      parts.push(
        `{"fullUrl":${JSON.stringify(`${typeUrl}/${e.id}`)},"resource":`,
        e.resource,
        ',"search":{"mode":"match"}}',
      );
    });
    parts.push(']');
  }
  parts.push('}');
  return parts.join('');
}
