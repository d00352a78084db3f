/**
 * The one check every resource arriving through the ingestion API passes, from a Bundle entry or
 * an uploaded NDJSON line: the organization comes from the token (claims in the body are
 * overwritten, never trusted), the server stamps `meta.lastUpdated`, then the loader's own line
 * validator (`ingestion/ndjson`, on the parsed value: no second parse) and the R4 structure checks decide.
 * See: https://hl7.org/fhir/R4/resource.html#Meta
 */

import { TOMBSTONE_TAG } from '../bulk/tombstones';
import { type QuarantineCode, type SupportedType, validateParsedLine } from '../ndjson';
import { checkStructure } from './r4-structure';

/** The tag that names the owning organization on every ingested resource. */
export const ORGANIZATION_TAG_SYSTEM = 'urn:fhir-gateway:organization';

export type ResourceVerdict =
  | { ok: true; type: SupportedType; id: string; line: string }
  | { ok: false; code: QuarantineCode | 'structure' | 'not-supported'; reason: string; expression?: string };

type Json = Record<string, unknown>;
/** Tags only the server writes: a partner's copy of them is dropped (a tombstone tag would delete). */
const SERVER_TAGS = new Set<string>([ORGANIZATION_TAG_SYSTEM, TOMBSTONE_TAG.system]);

/**
 * The tombstone a `DELETE Type/id` lands: the newest version of the resource, tagged deleted
 * (first, where dbt's `is_tombstone` looks) and owned by `org`; the marts then drop the resource.
 */
export function tombstoneLine(type: string, id: string, { org, now }: CheckOptions): ResourceVerdict {
  const resource = {
    resourceType: type,
    id,
    meta: {
      lastUpdated: now.toISOString(),
      tag: [TOMBSTONE_TAG, { system: ORGANIZATION_TAG_SYSTEM, code: org }],
    },
  };
  const line = JSON.stringify(resource);
  const verdict = validateParsedLine(resource, line, { org, type });
  return verdict.ok ? { ok: true, type: verdict.resourceType, id, line } : verdict;
}

export interface CheckOptions {
  /** The caller's organization, from the verified token. */
  org: string;
  /** The server's time of acceptance, stamped as `meta.lastUpdated`. */
  now: Date;
}

/** Checks a parsed resource for `org`; on success the verdict carries its NDJSON line as landed. */
export function checkResource(value: unknown, options: CheckOptions): ResourceVerdict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'not-an-object', reason: 'not-an-object: the entry holds no resource object' };
  }
  const resource = claimForOrganization(value as Json, options);
  const type = typeof resource.resourceType === 'string' ? resource.resourceType : '';
  const line = JSON.stringify(resource);
  const verdict = validateParsedLine(resource, line, { org: options.org, type });
  if (!verdict.ok) return verdict;
  const issues = checkStructure(verdict.resourceType, resource);
  if (issues.length > 0) {
    return {
      ok: false,
      code: 'structure',
      reason: `structure: ${issues.map((i) => `${i.expression}: ${i.diagnostics}`).join('; ')}`,
      expression: issues[0]!.expression,
    };
  }
  return { ok: true, type: verdict.resourceType, id: verdict.id, line };
}

/**
 * A copy of the resource owned by `org`: the organization references the line validator reads
 * (`Patient.managingOrganization`, `Encounter.serviceProvider`) point at `org`, organization tags
 * are replaced by one naming `org`, and `meta.lastUpdated` is the time of acceptance.
 */
function claimForOrganization(resource: Json, { org, now }: CheckOptions): Json {
  const owned: Json = { ...resource };
  const ownRef = { reference: `Organization/${org}` };
  if (owned.resourceType === 'Patient' && owned.managingOrganization !== undefined) {
    owned.managingOrganization = ownRef;
  }
  if (owned.resourceType === 'Encounter' && owned.serviceProvider !== undefined) {
    owned.serviceProvider = ownRef;
  }
  const meta = typeof owned.meta === 'object' && owned.meta !== null ? (owned.meta as Json) : {};
  const notOurs = (list: unknown) =>
    Array.isArray(list)
      ? list.filter((t) => !SERVER_TAGS.has((t as { system?: unknown } | null)?.system as string))
      : [];
  const security = notOurs(meta.security);
  owned.meta = {
    ...meta,
    lastUpdated: now.toISOString(),
    tag: [...notOurs(meta.tag), { system: ORGANIZATION_TAG_SYSTEM, code: org }],
    ...(security.length > 0 ? { security } : { security: undefined }),
  };
  return owned;
}
