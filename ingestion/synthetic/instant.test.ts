import { describe, expect, it } from 'vitest';
import { formatInstant } from './instant';

describe('formatInstant', () => {
  it('agrees with Date.toISOString to the second across days, leap years and the epoch', () => {
    const samples = [
      0,
      1,
      59_999,
      86_399_999,
      Date.UTC(2024, 1, 29, 23, 59, 59),
      Date.UTC(1950, 0, 1, 0, 0, 1),
    ];
    for (let ms = Date.UTC(1990, 0, 1); ms < Date.UTC(2030, 0, 1); ms += 7_654_321_987) samples.push(ms);
    for (const ms of samples) {
      const expected = `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
      expect(formatInstant(ms)).toBe(expected);
    }
  });
});
