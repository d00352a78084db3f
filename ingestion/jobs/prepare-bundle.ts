/**
 * Turns a posted Bundle into the lines to land and the entries refused, before anything lands:
 * every entry gets its id (its own, the one its `PUT` url names, the UUID of its `urn:uuid:`
 * fullUrl, or a new one), a `DELETE Type/id` entry becomes a tombstone of that resource, references to other entries' `urn:uuid:` fullUrls become `Type/<id>`,
 * and each resource passes `checkResource`. A request that is wrong as a whole throws an
 * `OperationOutcomeError` (400 / 422) at once.
 * See: https://hl7.org/fhir/R4/bundle.html#references and https://hl7.org/fhir/R4/http.html#transaction
 */
import { randomUUID } from 'node:crypto';
import {
  badRequest,
  type OperationOutcome,
  type OperationOutcomeIssue,
  unprocessable,
} from '../../src/fhir/operation-outcome';
import type { SupportedType } from '../ndjson';
import { checkResource, tombstoneLine } from './check-resource';

export type BundleType = 'batch' | 'transaction' | 'collection';
const BUNDLE_TYPES: readonly string[] = ['batch', 'transaction', 'collection'];

/** An entry that passed every check, as it will land. */
export interface PreparedEntry {
  index: number;
  fullUrl?: string;
  type: SupportedType;
  /** The id it lands under (its source id; the served id is its token). */
  id: string;
  line: string;
  /** A `DELETE` entry: the line is a tombstone. */
  deletion?: true;
}

/** An entry refused, with its place in the Bundle and why. */
export interface RejectedEntry {
  index: number;
  fullUrl?: string;
  outcome: OperationOutcome;
}

export interface PreparedBundle {
  type: BundleType;
  entries: PreparedEntry[];
  rejected: RejectedEntry[];
}

type Json = Record<string, unknown>;
const URN = /^urn:(uuid|oid):/;
const UUID_URN = /^urn:uuid:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
const PUT_URL = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a parsed Bundle for `org`; throws for a request that is invalid as a whole. */
export function prepareBundle(body: unknown, options: { org: string; now: Date }): PreparedBundle {
  if (!isObject(body) || body.resourceType !== 'Bundle') throw badRequest('The body must be a FHIR Bundle');
  const type = body.type;
  if (typeof type !== 'string' || !BUNDLE_TYPES.includes(type)) {
    throw unprocessable('Bundle.type must be batch, transaction or collection', ['Bundle.type']);
  }
  if (!Array.isArray(body.entry) || body.entry.length === 0) {
    throw unprocessable('The Bundle has no entries', ['Bundle.entry']);
  }
  const rejected: RejectedEntry[] = [];
  const reject = (
    index: number,
    fullUrl: string | undefined,
    issue: Omit<OperationOutcomeIssue, 'severity'>,
  ) =>
    rejected.push({
      index,
      fullUrl,
      outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', ...issue }] },
    });

  // Pass 1: ids, and what each urn fullUrl becomes.
  const targets = new Map<string, string>();
  const staged: { index: number; fullUrl?: string; resource: Json }[] = [];
  const deletions: PreparedEntry[] = [];
  for (const [index, entry] of (body.entry as unknown[]).entries()) {
    const at = `Bundle.entry[${index}]`;
    const fullUrl = isObject(entry) && typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
    const deletion = isObject(entry) && isObject(entry.request) && entry.request.method === 'DELETE';
    if (deletion) {
      const url = (entry.request as Json).url;
      const m = PUT_URL.exec(typeof url === 'string' ? url : '');
      const verdict = m ? tombstoneLine(m[1]!, m[2]!, options) : null;
      if (!verdict?.ok) {
        reject(index, fullUrl, {
          code: 'invalid',
          diagnostics: verdict?.reason ?? 'a DELETE entry needs request.url Type/id of a supported type',
          expression: [`${at}.request.url`],
        });
      } else
        deletions.push({
          index,
          fullUrl,
          type: verdict.type,
          id: verdict.id,
          line: verdict.line,
          deletion: true,
        });
      continue;
    }
    if (!isObject(entry) || !isObject(entry.resource)) {
      reject(index, fullUrl, {
        code: 'required',
        diagnostics: 'the entry has no resource',
        expression: [`${at}.resource`],
      });
      continue;
    }
    const resource: Json = { ...entry.resource };
    const request = isObject(entry.request) ? entry.request : undefined;
    const method = typeof request?.method === 'string' ? request.method : undefined;
    if (method !== undefined && method !== 'POST' && method !== 'PUT' && method !== 'DELETE') {
      reject(index, fullUrl, {
        code: 'not-supported',
        diagnostics: `${method.slice(0, 16)} is not supported here (POST, PUT and DELETE entries are)`,
        expression: [`${at}.request.method`],
      });
      continue;
    }
    if (method === 'PUT') {
      const m = PUT_URL.exec(typeof request?.url === 'string' ? request.url : '');
      if (!m || m[1] !== resource.resourceType || (resource.id !== undefined && resource.id !== m[2])) {
        reject(index, fullUrl, {
          code: 'invalid',
          diagnostics: 'a PUT entry needs request.url Type/id naming its resource',
          expression: [`${at}.request.url`],
        });
        continue;
      }
      resource.id = m[2];
    }
    if (resource.id === undefined)
      resource.id = (fullUrl && UUID_URN.exec(fullUrl)?.[1]?.toLowerCase()) || randomUUID();
    if (fullUrl && URN.test(fullUrl)) {
      if (targets.has(fullUrl)) {
        reject(index, fullUrl, {
          code: 'invalid',
          diagnostics: 'the fullUrl repeats an earlier entry',
          expression: [`${at}.fullUrl`],
        });
        continue;
      }
      targets.set(fullUrl, `${String(resource.resourceType)}/${String(resource.id)}`);
    }
    staged.push({ index, fullUrl, resource });
  }

  // Pass 2: resolve urn references, then the one resource check.
  let entries: (PreparedEntry & { uses: Set<string> })[] = [];
  for (const { index, fullUrl, resource: parsed } of staged) {
    const { resource, unresolved, uses } = resolveReferences(parsed, targets);
    if (unresolved) {
      reject(index, fullUrl, {
        code: 'not-found',
        diagnostics: 'not-found: a urn:uuid/urn:oid reference names no entry of this Bundle',
        expression: [`Bundle.entry[${index}].resource`],
      });
      continue;
    }
    const verdict = checkResource(resource, options);
    if (!verdict.ok) {
      reject(index, fullUrl, {
        code:
          verdict.code === 'structure'
            ? 'structure'
            : verdict.code === 'unsupported-type'
              ? 'not-supported'
              : 'invalid',
        diagnostics: verdict.reason,
        expression: [
          `Bundle.entry[${index}].resource${verdict.expression ? `.${verdict.expression.split('.').slice(1).join('.')}` : ''}`,
        ],
      });
      continue;
    }
    entries.push({ index, fullUrl, type: verdict.type, id: verdict.id, line: verdict.line, uses });
  }
  // Pass 3: an entry that references a refused entry is refused too (it would dangle).
  for (let changed = true; changed; ) {
    const refused = new Set(rejected.flatMap((r) => (r.fullUrl ? [r.fullUrl] : [])));
    const dangling = entries.filter((e) => [...e.uses].some((u) => refused.has(u)));
    changed = dangling.length > 0;
    for (const e of dangling) {
      reject(e.index, e.fullUrl, {
        code: 'not-found',
        diagnostics: 'not-found: the entry references an entry of this Bundle that was refused',
        expression: [`Bundle.entry[${e.index}].resource`],
      });
    }
    entries = entries.filter((e) => !dangling.includes(e));
  }
  rejected.sort((a, b) => a.index - b.index);
  const prepared = [...entries.map(({ uses: _, ...e }) => e), ...deletions].sort((a, b) => a.index - b.index);
  return { type: type as BundleType, entries: prepared, rejected };
}

/** A copy of `value` whose `reference`s naming a urn fullUrl are resolved; `unresolved` when one names no entry. */
function resolveReferences(
  value: Json,
  targets: Map<string, string>,
): { resource: Json; unresolved: boolean; uses: Set<string> } {
  let unresolved = false;
  const uses = new Set<string>();
  const rewrite = (node: unknown, key?: string): unknown => {
    if (key === 'reference' && typeof node === 'string' && URN.test(node)) {
      const target = targets.get(node);
      uses.add(node);
      if (!target) unresolved = true;
      return target ?? node;
    }
    if (Array.isArray(node)) return node.map((n) => rewrite(n));
    if (!isObject(node)) return node;
    const out: Json = {};
    for (const [k, child] of Object.entries(node)) out[k] = rewrite(child, k);
    return out;
  };
  const resource = rewrite(value) as Json;
  return { resource, unresolved, uses };
}
