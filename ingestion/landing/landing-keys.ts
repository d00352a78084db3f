/**
 * The landing layout, shared by every producer and the loader:
 * `landing/fhir/org=<org>/type=<Type>/batch=<id>/part-<n>.ndjson`.
 * The organization and type in a key are the truth the loader checks each line against.
 */
export interface LandingKey {
  org: string;
  type: string;
  batchId: string;
  part: number;
}

export const LANDING_PREFIX = 'landing/fhir/';
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const KEY = /^landing\/fhir\/org=([^/]+)\/type=([^/]+)\/batch=([^/]+)\/part-(\d{5})\.ndjson$/;

export function landingKey(k: LandingKey): string {
  for (const [name, value] of [
    ['org', k.org],
    ['type', k.type],
    ['batch', k.batchId],
  ] as const) {
    if (!SEGMENT.test(value)) throw new Error(`Invalid landing ${name} segment: ${JSON.stringify(value)}`);
  }
  if (!Number.isInteger(k.part) || k.part < 0 || k.part > 99_999)
    throw new Error(`Invalid part number ${k.part}`);
  return `${LANDING_PREFIX}org=${k.org}/type=${k.type}/batch=${k.batchId}/part-${String(k.part).padStart(5, '0')}.ndjson`;
}

/** Parses a landing key; `null` for anything that is not one. */
export function parseLandingKey(key: string): LandingKey | null {
  const m = KEY.exec(key);
  if (!m) return null;
  const [, org, type, batchId, part] = m;
  if (![org, type, batchId].every((s) => SEGMENT.test(s!))) return null;
  return { org: org!, type: type!, batchId: batchId!, part: Number(part) };
}
