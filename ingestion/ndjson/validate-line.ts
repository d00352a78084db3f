/**
 * Checks one NDJSON line against the landing key it arrived under: it must be a JSON object, a
 * FHIR resource of a supported type with a valid id, of the key's type, and must not claim
 * another organization than the key's. See: https://hl7.org/fhir/R4/datatypes.html#id
 */
import { RESOURCE_TYPES } from '../../src/fhir/search-parameters';

/** The resource types that have a raw table: the served ones, and the Organizations they belong to. */
export const SUPPORTED_TYPES = ['Organization', ...RESOURCE_TYPES] as const;
export type SupportedType = (typeof SUPPORTED_TYPES)[number];

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** With the `u` flag a surrogate pair is one code point, so this matches only a lone half. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export type QuarantineCode =
  | 'not-json'
  | 'not-an-object'
  | 'missing-resource-type'
  | 'missing-id'
  | 'invalid-id'
  | 'unsupported-type'
  | 'type-mismatch'
  | 'organization-mismatch'
  | 'line-too-long';

export type LineVerdict =
  | { ok: true; resourceType: SupportedType; id: string; resource: Record<string, unknown> }
  | { ok: false; code: QuarantineCode; reason: string };

export interface LineExpectation {
  /** The organization of the landing key (`org=`). */
  org: string;
  /** The resource type of the landing key (`type=`). */
  type: string;
}

const bad = (code: QuarantineCode, detail: string): LineVerdict => ({
  ok: false,
  code,
  reason: `${code}: ${detail}`,
});

export function isSupportedType(type: string): type is SupportedType {
  return (SUPPORTED_TYPES as readonly string[]).includes(type);
}

/** Validates one line's text; the verdict carries the parsed resource or a quarantine reason. */
export function validateLine(text: string, expect: LineExpectation): LineVerdict {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad('not-json', 'the line is not valid JSON');
  }
  return validateParsedLine(value, text, expect);
}

/**
 * `validateLine` for a line already parsed: `text` is the line `value` was parsed from (or
 * serialized to), used only to spot lone surrogate escapes cheaply.
 */
export function validateParsedLine(value: unknown, text: string, expect: LineExpectation): LineVerdict {
  if ((text.includes('\\ud') || text.includes('\\uD')) && !wellFormed(value)) {
    return bad('not-json', 'the line has a lone UTF-16 surrogate escape (not Unicode text)');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad(
      'not-an-object',
      `the line is a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}, not a resource object`,
    );
  }
  const resource = value as Record<string, unknown>;
  const { resourceType, id } = resource;
  if (typeof resourceType !== 'string' || resourceType === '') {
    return bad('missing-resource-type', 'the resource has no resourceType');
  }
  if (id === undefined || id === null || id === '') return bad('missing-id', 'the resource has no id');
  if (typeof id !== 'string' || !FHIR_ID.test(id)) {
    return bad('invalid-id', 'the id is not a FHIR id ([A-Za-z0-9-.]{1,64})');
  }
  if (!isSupportedType(resourceType)) {
    return bad(
      'unsupported-type',
      `${safeName(resourceType)} has no raw table (supported: ${SUPPORTED_TYPES.join(', ')})`,
    );
  }
  if (resourceType !== expect.type) {
    return bad('type-mismatch', `resourceType ${resourceType} under a type=${expect.type} key`);
  }
  const claimed = claimedOrganization(resourceType, resource);
  if (claimed !== undefined && claimed !== expect.org) {
    return bad(
      'organization-mismatch',
      `the resource names organization ${safeName(claimed)}, the key org=${expect.org}`,
    );
  }
  return { ok: true, resourceType, id, resource };
}

/**
 * Whether every string and key is well-formed Unicode: a lone surrogate (`"\ud800"`) is accepted
 * by `JSON.parse` but refused by the warehouse's JSON functions.
 * See: https://www.rfc-editor.org/rfc/rfc8259#section-8.2
 */
function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(wellFormed);
  return Object.entries(value).every(([k, v]) => !LONE_SURROGATE.test(k) && wellFormed(v));
}

/** The organization a resource says it belongs to, if it says so. */
function claimedOrganization(type: SupportedType, resource: Record<string, unknown>): string | undefined {
  if (type === 'Organization') return resource.id as string;
  const field =
    type === 'Patient'
      ? resource.managingOrganization
      : type === 'Encounter'
        ? resource.serviceProvider
        : undefined;
  if (field === undefined || field === null) return undefined;
  const reference = (field as { reference?: unknown }).reference;
  if (typeof reference !== 'string') return undefined;
  const m = /(?:^|\/)Organization\/([^/]+?)(?:\/_history\/[^/]+)?$/.exec(reference);
  return m ? m[1] : undefined;
}

/** Names that go into reasons are resource types and organization ids, never free text: bounded and plain. */
function safeName(value: string): string {
  return /^[A-Za-z0-9\-._]{1,64}$/.test(value) ? value : '(an invalid name)';
}
