import { describe, expect, it } from 'vitest';
import { allows, parseScope, scopesFromClaim } from './scopes';

describe('SMART scopes', () => {
  it('grants read and search from a v2 system scope on one type only', () => {
    expect(allows(['system/Patient.rs'], 'Patient', 'r')).toBe(true);
    expect(allows(['system/Patient.rs'], 'Patient', 's')).toBe(true);
    expect(allows(['system/Patient.rs'], 'Observation', 'r')).toBe(false);
    expect(allows(['system/Patient.rs'], 'Patient', 'c')).toBe(false);
  });

  it('treats the wildcard type and v1 suffixes as SMART defines them', () => {
    expect(allows(['system/*.rs'], 'Condition', 's')).toBe(true);
    expect(allows(['user/Observation.read'], 'Observation', 's')).toBe(true);
    expect(allows(['system/*.write'], 'Patient', 'r')).toBe(false);
    expect(allows(['system/*.*'], 'Encounter', 'd')).toBe(true);
  });

  it('fails closed on patient-context scopes, parameters and malformed permission strings', () => {
    expect(allows(['patient/*.rs'], 'Patient', 'r')).toBe(false);
    expect(allows(['system/Observation.rs?category=laboratory'], 'Observation', 'r')).toBe(false);
    expect(parseScope('system/Patient.sr')).toBeNull();
    expect(parseScope('system/Patient.rrs')).toBeNull();
    expect(parseScope('openid')).toBeNull();
  });

  it('reads the scope claim as a space-separated string or an array', () => {
    expect(scopesFromClaim('system/Patient.rs  openid')).toEqual(['system/Patient.rs', 'openid']);
    expect(scopesFromClaim(['system/*.rs', 7])).toEqual(['system/*.rs']);
    expect(scopesFromClaim(undefined)).toEqual([]);
  });
});
