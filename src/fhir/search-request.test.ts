import { describe, expect, it } from 'vitest';
import { observationSearch, patientSearch } from '../../resolvers';
import { OperationOutcomeError } from './operation-outcome';
import { MAX_COUNT, parseSearchRequest } from './search-request';

const parse = (type: 'Patient' | 'Observation', query: string, strict = false) =>
  parseSearchRequest(
    type === 'Patient' ? patientSearch : observationSearch,
    [...new URLSearchParams(query)],
    {
      strict,
    },
  );

const status = (fn: () => unknown) => {
  try {
    fn();
    return 200;
  } catch (error) {
    return error instanceof OperationOutcomeError ? error.status : 500;
  }
};

describe('search request parsing', () => {
  it('treats _count=0 as _summary=count (total only), as R4 prescribes', () => {
    expect(parse('Patient', '_count=0')).toMatchObject({ count: 0, summaryCount: true });
    expect(parse('Patient', '_count=1')).toMatchObject({ count: 1, summaryCount: false });
  });

  it('clamps any large _count to the maximum instead of refusing long numbers', () => {
    expect(parse('Patient', '_count=100000').count).toBe(MAX_COUNT);
    expect(parse('Patient', '_count=99999999999999').count).toBe(MAX_COUNT);
    expect(status(() => parse('Patient', '_count=-1'))).toBe(400);
    expect(status(() => parse('Patient', '_count=1e3'))).toBe(400);
  });

  it('ignores empty search parameters and leaves them out of the self link; an empty _count is refused', () => {
    expect(parse('Patient', 'gender=&family=smith')).toMatchObject({ recognized: [['family', 'smith']] });
    expect(status(() => parse('Patient', '_count='))).toBe(400);
  });

  it('accepts :missing on every parameter and :not on tokens, and refuses them elsewhere', () => {
    expect(parse('Observation', 'value-quantity:missing=true').clauses[0]).toMatchObject({
      modifier: 'missing',
      values: [{ kind: 'missing', missing: true }],
    });
    expect(parse('Patient', 'gender:not=male,female').clauses[0]).toMatchObject({
      modifier: 'not',
      values: [{ kind: 'token' }, { kind: 'token' }],
    });
    expect(status(() => parse('Patient', 'birthdate:missing=maybe'))).toBe(400);
    expect(status(() => parse('Patient', 'family:not=smith'))).toBe(400);
    expect(status(() => parse('Patient', 'gender:text=male'))).toBe(400);
  });

  it("refuses the 'ap' prefix on dates by name rather than as a malformed date", () => {
    expect(() => parse('Patient', 'birthdate=ap1980')).toThrow(
      "The 'ap' prefix is not supported on 'birthdate'",
    );
  });

  it('ignores chained and _include parameters unless handling is strict', () => {
    expect(parse('Observation', 'patient.name=x&_include=Observation:patient').recognized).toEqual([]);
    expect(status(() => parse('Observation', '_include=Observation:patient', true))).toBe(400);
    expect(status(() => parse('Observation', 'patient.name=x', true))).toBe(400);
  });

  it('binds cursors to what selects and orders rows, not to the page size', () => {
    const key = (q: string) => parse('Patient', q).queryKey;
    expect(key('gender=male&_count=5')).toBe(key('_count=7&gender=male'));
    expect(key('gender=male')).not.toBe(key('gender=female'));
    expect(key('gender=male&_sort=birthdate')).not.toBe(key('gender=male&_sort=-birthdate'));
    expect(key('_sort=family&_sort=birthdate')).not.toBe(key('_sort=birthdate&_sort=family'));
    expect(key('_sort=family&_sort=birthdate')).toBe(key('_sort=birthdate'));
  });
});
