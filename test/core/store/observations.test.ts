import { randomBytes } from 'node:crypto';
import { decodeSizes, encodeSizes } from '../../../src/core/store/observations';
import { SessionObservations, distinctCount } from '../../../src/core/sessions/observations';

describe('the sizes column', () => {
  it('round-trips sizes of every varint length, up to the largest safe integer', () => {
    const sizes = [
      0,
      1,
      127,
      128,
      300,
      16383,
      16384,
      2 ** 32,
      2 ** 32 + 5,
      Number.MAX_SAFE_INTEGER,
    ];
    const blob = encodeSizes(sizes, sizes.length);
    expect(Array.from(decodeSizes(blob, sizes.length))).toEqual(sizes);
    // LEB128: 300 = 0b10_0101100 → 0xac 0x02.
    expect(Array.from(encodeSizes([300], 1))).toEqual([0xac, 0x02]);
    expect(encodeSizes([], 0)).toHaveLength(0);
  });

  it('encodes only the first `count` sizes', () => {
    expect(Array.from(encodeSizes(new Float64Array([5, 6, 7]), 2))).toEqual([5, 6]);
  });

  it('refuses a column with too few, too many or unfinished varints', () => {
    const blob = encodeSizes([1, 2, 300], 3);
    expect(() => decodeSizes(blob, 4)).toThrow(/holds 3 sizes, the batch has 4/);
    expect(() => decodeSizes(blob, 2)).toThrow(/more than the batch's 2 sizes/);
    expect(() => decodeSizes(blob.subarray(0, blob.length - 1), 3)).toThrow(
      /holds 2 sizes, the batch has 3/,
    );
  });
});

describe('distinctCount', () => {
  const observations = (fps: Buffer[]): SessionObservations => ({
    fingerprints: new Uint8Array(Buffer.concat(fps)),
    count: fps.length,
    batches: [],
  });

  it('counts distinct fingerprints, repeats far apart and side by side', () => {
    const unique = Array.from({ length: 5000 }, () => randomBytes(32));
    const fps = [...unique, ...unique.slice(0, 1234), unique[7], unique[7]];
    expect(distinctCount(observations(fps))).toBe(5000);
    expect(distinctCount(observations([]))).toBe(0);
  });

  it('tells apart fingerprints that differ only in their last byte', () => {
    const base = randomBytes(32);
    const fps = Array.from({ length: 256 }, (_, i) => {
      const fp = Buffer.from(base);
      fp[31] = i;
      return fp;
    });
    expect(distinctCount(observations([...fps, ...fps]))).toBe(256);
  });
});
