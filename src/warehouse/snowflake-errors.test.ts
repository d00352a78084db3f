import { describe, expect, it } from 'vitest';
import { OperationOutcomeError } from '../fhir/operation-outcome';
import { isRead, isTransient, withRetries } from './snowflake-errors';

// Errors shaped like snowflake-sdk's (name, code): the driver cannot be made to fail on cue here.
const networkError = () =>
  Object.assign(new Error('connect ECONNREFUSED'), { name: 'NetworkError', code: 401001 });
const sqlError = () =>
  Object.assign(new Error('Object does not exist'), { name: 'OperationFailedError', code: '002003' });
const policy = { retries: 2, baseDelayMs: 1 };

function failing(error: () => Error) {
  let calls = 0;
  return {
    attempt: async () => {
      calls += 1;
      throw error();
    },
    calls: () => calls,
  };
}

describe('snowflake errors', () => {
  it('tells reads from writes, leading comments skipped', () => {
    expect(
      ['select 1', ' WITH x as (select 1) select * from x', '-- tag\nselect 1', 'show tables'].map(isRead),
    ).toEqual([true, true, true, true]);
    expect(
      ['insert into t values (1)', 'delete from t', 'begin', 'create table t (a int)'].map(isRead),
    ).toEqual([false, false, false, false]);
  });

  it('counts network failures, pool timeouts and statement timeouts as transient, SQL errors not', () => {
    expect(isTransient(networkError())).toBe(true);
    expect(isTransient(Object.assign(new Error('ResourceRequest timed out'), { name: 'TimeoutError' }))).toBe(
      true,
    );
    expect(isTransient({ name: 'OperationFailedError', code: '000630', sqlState: '57014' })).toBe(true);
    expect(isTransient(sqlError())).toBe(false);
  });

  it('retries a read twice, then answers 503 with Retry-After', async () => {
    const f = failing(networkError);
    const error = await withRetries('select 1', policy, f.attempt).catch((e) => e);
    expect(f.calls()).toBe(3);
    expect(error).toBeInstanceOf(OperationOutcomeError);
    expect(error).toMatchObject({ status: 503, headers: { 'Retry-After': '5' } });
  });

  it('never retries a write', async () => {
    const f = failing(networkError);
    const error = await withRetries('insert into t values (1)', policy, f.attempt).catch((e) => e);
    expect(f.calls()).toBe(1);
    expect(error).toMatchObject({ status: 503 });
  });

  it('rethrows anything else unchanged, at once (the edge masks it as 500)', async () => {
    const f = failing(sqlError);
    const error = await withRetries('select * from nowhere', policy, f.attempt).catch((e) => e);
    expect(f.calls()).toBe(1);
    expect(error).not.toBeInstanceOf(OperationOutcomeError);
    expect(error.code).toBe('002003');
  });

  it('succeeds when a retry does', async () => {
    let calls = 0;
    const value = await withRetries('select 1', policy, async () => {
      calls += 1;
      if (calls < 2) throw networkError();
      return 'rows';
    });
    expect({ value, calls }).toEqual({ value: 'rows', calls: 2 });
  });
});
