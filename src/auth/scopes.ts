/**
 * SMART on FHIR scopes: v2 `system|user|patient/<Type|*>.<cruds>` and v1 `.read` / `.write` / `.*`.
 * `system/` and `user/` scopes grant access across the caller's organization; `patient/` scopes
 * need a patient launch context this gateway does not issue, so they grant nothing (fail closed),
 * and so do v2 scopes narrowed with `?` parameters.
 * See: https://build.fhir.org/ig/HL7/smart-app-launch/scopes-and-launch-context.html
 */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';

export interface ParsedScope {
  context: 'system' | 'user' | 'patient';
  resourceType: string;
  interactions: ReadonlySet<Interaction>;
}

const SCOPE = /^(system|user|patient)\/(\*|[A-Z][A-Za-z]+)\.([a-z*]+)$/;
const V1: Record<string, Interaction[]> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': ['c', 'r', 'u', 'd', 's'],
};
const ORDER = 'cruds';

/** Parses one scope string; `null` when it is not a resource scope this gateway understands. */
export function parseScope(scope: string): ParsedScope | null {
  const m = SCOPE.exec(scope);
  if (!m) return null;
  const [, context, resourceType, perms] = m as unknown as [string, ParsedScope['context'], string, string];
  const v1 = V1[perms];
  if (v1) return { context, resourceType, interactions: new Set(v1) };
  // v2: a non-empty subsequence of "cruds", in that order, without repeats.
  let last = -1;
  for (const ch of perms) {
    const at = ORDER.indexOf(ch);
    if (at <= last) return null;
    last = at;
  }
  return { context, resourceType, interactions: new Set(perms as unknown as Interaction[]) };
}

/** Splits a `scope` claim (space-separated string or array) into scope strings. */
export function scopesFromClaim(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.split(/\s+/).filter(Boolean);
  if (Array.isArray(claim)) return claim.filter((s): s is string => typeof s === 'string');
  return [];
}

const decided = new WeakMap<readonly string[], Map<string, boolean>>();

/**
 * Whether the granted scopes allow `interaction` on `resourceType` organization-wide. Answers
 * are remembered per scopes array (one per principal): GraphQL asks once per field and row.
 */
export function allows(scopes: readonly string[], resourceType: string, interaction: Interaction): boolean {
  let answers = decided.get(scopes);
  if (!answers) {
    answers = new Map();
    decided.set(scopes, answers);
  }
  const key = `${resourceType}.${interaction}`;
  let answer = answers.get(key);
  if (answer === undefined) {
    answer = decide(scopes, resourceType, interaction);
    answers.set(key, answer);
  }
  return answer;
}

function decide(scopes: readonly string[], resourceType: string, interaction: Interaction): boolean {
  return scopes.some((s) => {
    const p = parseScope(s);
    return (
      p !== null &&
      p.context !== 'patient' &&
      (p.resourceType === '*' || p.resourceType === resourceType) &&
      p.interactions.has(interaction)
    );
  });
}
