import { describe, expect, it } from 'vitest';
import type { OperationOutcomeError } from '../../src/fhir/operation-outcome';
import { prepareBundle } from './prepare-bundle';

type Json = Record<string, unknown>;
const now = new Date('2026-06-01T12:00:00Z');
const prepare = (body: unknown) => prepareBundle(body, { org: 'org-a', now });
const P = 'urn:uuid:11111111-2222-4333-8444-555555555555';
const patient = { resourceType: 'Patient', gender: 'female' };
const observation = (subject: string) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] },
  subject: { reference: subject },
});
const bundle = (type: string, entry: unknown[]) => ({ resourceType: 'Bundle', type, entry });
const lineOf = (r: { line: string }) => JSON.parse(r.line) as Json;

describe('prepareBundle', () => {
  it('gives a urn:uuid entry its UUID as id and rewrites references to it, inside nested elements too', () => {
    const { entries, rejected } = prepare(
      bundle('transaction', [
        { fullUrl: P, resource: patient, request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:uuid:x', resource: { ...observation(P), hasMember: [{ reference: P }] } },
      ]),
    );
    expect(rejected).toEqual([]);
    expect(entries.map((e) => [e.type, e.id])).toEqual([
      ['Patient', '11111111-2222-4333-8444-555555555555'],
      ['Observation', expect.stringMatching(/^[0-9a-f-]{36}$/)],
    ]);
    const obs = lineOf(entries[1]!);
    expect(obs.subject).toEqual({ reference: 'Patient/11111111-2222-4333-8444-555555555555' });
    expect(obs.hasMember).toEqual([{ reference: 'Patient/11111111-2222-4333-8444-555555555555' }]);
    expect((obs.meta as Json).lastUpdated).toBe('2026-06-01T12:00:00.000Z');
  });

  it('takes the id a PUT names, and refuses a PUT whose url names another resource', () => {
    const { entries, rejected } = prepare(
      bundle('batch', [
        { resource: patient, request: { method: 'PUT', url: 'Patient/p-1' } },
        { resource: { ...patient, id: 'p-2' }, request: { method: 'PUT', url: 'Patient/p-3' } },
      ]),
    );
    expect(entries.map((e) => e.id)).toEqual(['p-1']);
    expect(rejected).toMatchObject([
      { index: 1, outcome: { issue: [{ expression: ['Bundle.entry[1].request.url'] }] } },
    ]);
  });

  it('refuses PATCH entries, repeated fullUrls and references to urns not in the Bundle', () => {
    const { entries, rejected } = prepare(
      bundle('batch', [
        { fullUrl: P, resource: patient },
        { fullUrl: P, resource: patient },
        { resource: patient, request: { method: 'PATCH', url: 'Patient/p-1' } },
        { resource: observation('urn:uuid:99999999-2222-4333-8444-555555555555') },
      ]),
    );
    expect(entries).toHaveLength(1);
    expect(rejected.map((r) => [r.index, r.outcome.issue[0]!.code])).toEqual([
      [1, 'invalid'],
      [2, 'not-supported'],
      [3, 'not-found'],
    ]);
  });

  it('throws 400 for what is not a Bundle and 422 for a Bundle of another type or without entries', () => {
    const status = (body: unknown) => {
      try {
        prepare(body);
        return 0;
      } catch (error) {
        return (error as OperationOutcomeError).status;
      }
    };
    expect([
      status(null),
      status(patient),
      status(bundle('searchset', [{}])),
      status(bundle('batch', [])),
    ]).toEqual([400, 400, 422, 422]);
  });

  it('turns a DELETE entry into a tombstone owned by the organization, tagged first', () => {
    const { entries, rejected } = prepare(
      bundle('transaction', [
        { request: { method: 'DELETE', url: 'Observation/o-1' } },
        { request: { method: 'DELETE', url: 'Medication/m-1' } },
      ]),
    );
    expect(rejected.map((r) => r.index)).toEqual([1]);
    expect(entries.map((e) => [e.type, e.id])).toEqual([['Observation', 'o-1']]);
    expect(lineOf(entries[0]!)).toEqual({
      resourceType: 'Observation',
      id: 'o-1',
      meta: {
        lastUpdated: '2026-06-01T12:00:00.000Z',
        tag: [
          { system: 'urn:fhir-gateway:tombstone', code: 'deleted' },
          { system: 'urn:fhir-gateway:organization', code: 'org-a' },
        ],
      },
    });
  });

  it("drops a partner's own tombstone tag: only DELETE entries delete", () => {
    const { entries } = prepare(
      bundle('batch', [
        {
          resource: {
            ...patient,
            meta: { tag: [{ system: 'urn:fhir-gateway:tombstone', code: 'deleted' }] },
          },
        },
      ]),
    );
    expect((lineOf(entries[0]!).meta as Json).tag).toEqual([
      { system: 'urn:fhir-gateway:organization', code: 'org-a' },
    ]);
  });
});
