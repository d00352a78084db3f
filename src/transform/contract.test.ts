import { describe, expect, it } from 'vitest';
import { contractViolations, normalizeType } from './contract';

describe('normalizeType', () => {
  it.each([
    [['varchar', 'TEXT', 'string', 'character varying', 'VARCHAR(256)'], 'varchar'],
    [['double', 'FLOAT8', 'float', 'double precision'], 'double'],
    [['timestamp', 'TIMESTAMP WITHOUT TIME ZONE', 'timestamp_ntz'], 'timestamp'],
    [['integer', 'int', 'INT4'], 'integer'],
    [['bigint', 'int8'], 'bigint'],
    [['boolean', 'BOOL'], 'boolean'],
    [['json', 'JSON'], 'json'],
  ])('treats %j as one type', (names, canonical) => {
    expect(names.map(normalizeType)).toEqual(names.map(() => canonical));
  });

  it('keeps integer, bigint, date and timestamp apart', () => {
    expect(new Set(['integer', 'bigint', 'date', 'timestamp', 'timestamptz'].map(normalizeType)).size).toBe(
      5,
    );
  });
});

describe('contractViolations', () => {
  it('lists every missing, extra and mistyped column and a column without data_type', () => {
    expect(
      contractViolations(
        'm',
        [
          { name: 'id', data_type: 'varchar' },
          { name: 'at', data_type: 'timestamp' },
          { name: 'gone', data_type: 'date' },
          { name: 'untyped' },
        ],
        [
          { name: 'AT', type: 'TIMESTAMP WITH TIME ZONE' },
          { name: 'id', type: 'VARCHAR' },
          { name: 'untyped', type: 'INTEGER' },
          { name: 'more', type: 'BIGINT' },
        ],
      ),
    ).toEqual([
      'model m: column at has the wrong data type (expected timestamp, actual TIMESTAMP WITH TIME ZONE)',
      'model m: column gone is missing (expected date)',
      'model m: column untyped has no data_type in its yml (a contract needs one)',
      'model m: column more (BIGINT) is not in the contract',
    ]);
  });
});
