/**
 * A seeded, bounded fuzz run (issue 5) against the real app in production mode: a few thousand
 * mutated REST and GraphQL requests built from the dataset's own values (PHI included), hostile
 * strings and random bytes. Zero 5xx, zero rows of another organization (a foreign id may come back only as the caller's own input, echoed in a 404). Then every app log
 * line written during the run is scanned for the dataset's names, birth dates, identifier
 * values, phone numbers, emails and address lines: none may appear.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOLVERS } from '../../resolvers';
import { RESOURCE_TYPES } from '../../src/fhir/search-parameters';
import { createExpectations } from '../gateway/expectations';
import type { RawResource } from '../support/cohort';
import { HOSTILE_VALUES, RAW_ENCODED } from './hostile-values';
import { openSecureApp, type SecureApp } from './secure-app';
import { createTokenLab, type TokenLab } from './token-lab';

const SEED = 20_260_102;
const REQUESTS = 2500;

let lab: TokenLab;
let s: SecureApp;
let own: string;
let token: string;
let foreignIds: string[];
let ownValues: string[];
let phi: string[];

/** mulberry32: a tiny seeded PRNG, so a failing run can be replayed exactly. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(list: readonly T[]): T => list[int(list.length)]! };
}

type Json = Record<string, unknown>;

/** The PHI of a raw Patient: what must never reach a log line. */
function phiOf(p: RawResource): string[] {
  const names = ((p.name as Json[] | undefined) ?? []).flatMap((n) => [
    n.family as string,
    ...((n.given as string[] | undefined) ?? []),
  ]);
  const identifiers = ((p.identifier as Json[] | undefined) ?? []).map((i) => i.value as string);
  const telecom = ((p.telecom as Json[] | undefined) ?? []).map((t) => t.value as string);
  const address = ((p.address as Json[] | undefined) ?? []).flatMap(
    (a) => (a.line as string[] | undefined) ?? [],
  );
  return [...names, ...identifiers, ...telecom, ...address, p.birthDate as string].filter(
    (v): v is string => typeof v === 'string' && v.length >= 4,
  );
}

beforeAll(async () => {
  lab = await createTokenLab();
  s = await openSecureApp(lab);
  const x = createExpectations(s.built);
  const [a, b] = s.built.organizations as [string, string];
  own = a;
  token = await s.token(own);
  foreignIds = RESOURCE_TYPES.flatMap((t) => x.ids(t, b, () => true));
  const patients = (s.built.ndjson.get('Patient') ?? []).map((r) => r.resource);
  phi = [...new Set(patients.flatMap(phiOf))];
  const codes = (s.built.ndjson.get('Observation') ?? [])
    .slice(0, 50)
    .flatMap((r) =>
      (((r.resource.code as Json)?.coding as Json[]) ?? []).map((c) => `${c.system}|${c.code}`),
    );
  ownValues = [
    ...phi,
    ...codes,
    ...RESOURCE_TYPES.flatMap((t) => x.ids(t, own, () => true).slice(0, 5)),
    ...foreignIds.slice(0, 20),
    'ge2015-01-01',
    'lt2020',
    'eq1970-01-01',
    'male',
    'female',
  ];
}, 180_000);
afterAll(async () => {
  await s?.close();
  await lab?.close();
});

function mutate(r: ReturnType<typeof prng>, text: string): string {
  const chars = [...text];
  const edits = 1 + r.int(3);
  for (let i = 0; i < edits; i++) {
    const at = r.int(chars.length + 1);
    const op = r.int(4);
    if (op === 0) chars.splice(at, 1);
    else if (op === 1)
      chars.splice(at, 0, r.pick(['{', '}', '(', ')', '"', '$', '@', '#', '...', ' ', '\\', '\u0000']));
    else if (op === 2) chars.splice(at, 0, chars[r.int(chars.length)] ?? 'x');
    else chars.splice(at, 1, String.fromCharCode(32 + r.int(95)));
  }
  return chars.join('');
}

function value(r: ReturnType<typeof prng>): string {
  const kind = r.int(4);
  if (kind === 0) return encodeURIComponent(r.pick(ownValues));
  if (kind === 1) return encodeURIComponent(r.pick(HOSTILE_VALUES));
  if (kind === 2) return r.pick(RAW_ENCODED);
  return encodeURIComponent(mutate(r, r.pick(ownValues)));
}

function restRequest(r: ReturnType<typeof prng>): { path: string; init: RequestInit } {
  const type =
    r.next() < 0.95 ? r.pick(RESOURCE_TYPES) : r.pick(['Practitioner', 'patient', '..', '%2e%2e', '_search']);
  const names = [
    ...(RESOLVERS[type as 'Patient']?.definition.params.map((p) => p.name) ?? ['name']),
    '_count',
    '_sort',
    '_total',
    '_summary',
    '_cursor',
    '_format',
    'org',
  ];
  const modifiers = ['', '', '', ':exact', ':contains', ':missing', ':not', ':bogus'];
  const query = Array.from(
    { length: r.int(4) },
    () =>
      `${r.pick(names)}${r.pick(modifiers)}=${r.next() < 0.2 ? r.pick(['-1', 'abc', '100000', '0', '-sex', 'accurate']) : value(r)}`,
  ).join('&');
  const shape = r.int(10);
  if (shape === 0) return { path: `/v1/fhir/${type}/${value(r)}`, init: {} };
  if (shape === 1) {
    return {
      path: `/v1/fhir/${type}/_search`,
      init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query },
    };
  }
  if (shape === 2)
    return {
      path: `/v1/fhir/${type}/${value(r)}/${value(r)}`,
      init: { method: r.pick(['GET', 'PUT', 'DELETE']) },
    };
  return { path: `/v1/fhir/${type}?${query}`, init: {} };
}

const GRAPHQL_SEEDS = [
  'query($v: [String!], $n: Int) { patients(first: $n, filter: { family: $v }) { totalCount edges { cursor node { id encounters(first: $n) { edges { node { id } } } } } } }',
  'query($v: [String!], $n: Int) { observations(first: $n, filter: { code: $v }) { edges { node { id subject { id } encounter { id } } } } }',
  'query($id: ID!) { patient(id: $id) { id resource observations { totalCount } conditions { totalCount } } }',
  'query($id: ID!) { encounter(id: $id) { id subject { id } observations { edges { node { id } } } } }',
  'query($v: [String!], $a: String) { conditions(after: $a, filter: { patient: $v }) { pageInfo { endCursor } edges { node { id } } } }',
  'query($v: [String!]) { encounters(filter: { date: $v }) { totalCount } }',
];

function graphqlRequest(r: ReturnType<typeof prng>): { path: string; init: RequestInit } {
  const seed = r.pick(GRAPHQL_SEEDS);
  const query = r.next() < 0.4 ? mutate(r, seed) : seed;
  const v = decodeURIComponentSafe(value(r));
  const variables = {
    v: [v],
    id: v,
    n: r.pick([1, 5, 50, -1, 0, 100000, null]),
    a: r.pick([v, 'garbage', null]),
  };
  const body =
    r.next() < 0.05 ? mutate(r, JSON.stringify({ query, variables })) : JSON.stringify({ query, variables });
  return {
    path: '/graphql',
    init: { method: 'POST', headers: { 'content-type': 'application/json' }, body },
  };
}

function decodeURIComponentSafe(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

describe('seeded fuzz', () => {
  it(`answers ${REQUESTS} mutated REST and GraphQL requests with no 5xx and no foreign rows`, async () => {
    const r = prng(SEED);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const { path, init } = r.next() < 0.6 ? restRequest(r) : graphqlRequest(r);
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      const res = await s.app.request(path, { ...init, headers });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      if (res.status >= 500)
        failures.push(`#${i} ${res.status} ${init.method ?? 'GET'} ${path} ${String(init.body ?? '')}`);
      const sent = `${path} ${String(init.body ?? '')}`;
      const leaked = foreignIds.find((id) => text.includes(id) && !sent.includes(id));
      if (leaked) failures.push(`#${i} leaked ${leaked} via ${path}`);
    }
    expect(failures).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(REQUESTS / 10);
  }, 120_000);

  it('left no PHI from the dataset in any log line', () => {
    expect(s.logLines.length).toBeGreaterThanOrEqual(REQUESTS);
    expect(phi.length).toBeGreaterThan(50);
    const found = s.logLines.flatMap((line) =>
      phi.filter((v) => line.includes(v)).map((v) => `${v} in ${line.slice(0, 200)}`),
    );
    expect(found).toEqual([]);
  });
});
