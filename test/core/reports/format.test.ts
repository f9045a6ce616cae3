import { compareCodeUnits } from '../../../src/core/compare';
import { count } from '../../../src/core/reports/markdown';

describe('count', () => {
  it('groups digits exactly as toLocaleString("en-US") does', () => {
    const values = [0, 7, 999, 1000, 12345, 999999, 1000000, -1, -1234, -1234567, 2 ** 40 + 3];
    for (const n of [...values, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      expect(count(n)).toBe(n.toLocaleString('en-US'));
    }
    expect(count(1234567)).toBe('1,234,567');
  });

  it('leaves numbers that are not safe integers to toLocaleString', () => {
    for (const n of [1234.5678, -0.5, 2 ** 60, Infinity, NaN]) {
      expect(count(n)).toBe(n.toLocaleString('en-US'));
    }
  });
});

describe('compareCodeUnits', () => {
  it('orders strings by code unit, and is 0 only for equal strings', () => {
    expect(['b', 'B', 'a', 'ab', ''].sort(compareCodeUnits)).toEqual(['', 'B', 'a', 'ab', 'b']);
    expect(compareCodeUnits('x', 'x')).toBe(0);
  });
});
