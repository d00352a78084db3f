import { describe, expect, it } from 'vitest';
import { parseDateValue, parseQuantityValue, parseTokenValue } from './search-values';

const utc = (s: string) => Date.parse(s);

describe('FHIR search values', () => {
  it('gives partial dates the range their precision implies', () => {
    expect(parseDateValue('2020')).toEqual({
      prefix: 'eq',
      start: utc('2020-01-01T00:00:00Z'),
      end: utc('2021-01-01T00:00:00Z'),
    });
    expect(parseDateValue('ge2020-02')).toEqual({
      prefix: 'ge',
      start: utc('2020-02-01T00:00:00Z'),
      end: utc('2020-03-01T00:00:00Z'),
    });
    expect(parseDateValue('lt2020-02-29')).toEqual({
      prefix: 'lt',
      start: utc('2020-02-29T00:00:00Z'),
      end: utc('2020-03-01T00:00:00Z'),
    });
    expect(parseDateValue('2020-02-29T10:00:00+02:00')).toEqual({
      prefix: 'eq',
      start: utc('2020-02-29T08:00:00Z'),
      end: utc('2020-02-29T08:00:01Z'),
    });
  });

  it('refuses impossible or malformed dates', () => {
    for (const bad of [
      '2021-02-29',
      '2020-13',
      'ap2020',
      '20200101',
      'yesterday',
      '2020-01-01T25:00',
      '2020-01-01T10:00:60Z',
    ]) {
      expect(parseDateValue(bad), bad).toBeNull();
    }
  });

  it('gives numbers the implicit precision range of their significant digits', () => {
    expect(parseQuantityValue('5.4|http://unitsofmeasure.org|mg')).toMatchObject({
      prefix: 'eq',
      value: 5.4,
      system: 'http://unitsofmeasure.org',
      code: 'mg',
    });
    const q = parseQuantityValue('100')!;
    expect([q.low, q.high]).toEqual([99.5, 100.5]);
    expect(parseQuantityValue('gt1e2||kg')).toMatchObject({
      prefix: 'gt',
      value: 100,
      low: 50,
      high: 150,
      code: 'kg',
    });
    expect(parseQuantityValue('abc')).toBeNull();
  });

  it('splits tokens on the first unescaped bar', () => {
    expect(parseTokenValue('http://loinc.org|4548-4')).toEqual({
      system: 'http://loinc.org',
      code: '4548-4',
    });
    expect(parseTokenValue('|A1')).toEqual({ system: '', code: 'A1' });
    expect(parseTokenValue('http://loinc.org|')).toEqual({ system: 'http://loinc.org' });
    expect(parseTokenValue('a\\|b')).toEqual({ code: 'a|b' });
  });
});
