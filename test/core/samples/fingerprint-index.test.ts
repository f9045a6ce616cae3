import { createHash, randomBytes } from 'node:crypto';
import { FingerprintIndex } from '../../../src/core/samples/fingerprint-index';

describe('FingerprintIndex', () => {
  it('numbers distinct fingerprints densely, finds them again, and survives growth', () => {
    const n = 5000;
    const keys = randomBytes(n * 32);
    const index = new FingerprintIndex(4); // grows many times
    for (let i = 0; i < n; i++) expect(index.add(keys, i * 32)).toBe(i);
    for (let i = 0; i < n; i++) expect(index.add(keys, i * 32)).toBe(i);
    expect(index.size).toBe(n);
    for (let i = 0; i < n; i += 97) expect(index.indexOf(keys, i * 32)).toBe(i);
    expect(index.indexOf(randomBytes(32), 0)).toBe(-1);
  });

  it('tells apart fingerprints that share their first bytes', () => {
    const a = createHash('sha256').update('a').digest();
    const b = Buffer.from(a);
    b[31] ^= 1;
    const index = new FingerprintIndex();
    expect(index.add(a, 0)).toBe(0);
    expect(index.add(b, 0)).toBe(1);
    expect(index.indexOf(b, 0)).toBe(1);
  });
});

describe('FingerprintIndex insert and sorted', () => {
  it('numbers distinct fingerprints in order and sorts them bytewise with their values', () => {
    const set = new FingerprintIndex(4);
    const fps = Array.from({ length: 5000 }, () => randomBytes(32));
    // Some share their first two bytes, to exercise the buckets' own sort: one bucket of 200 (a
    // sort() call), and buckets of 2 to 17 (sorted by insertion up to 16), some sharing more bytes.
    for (let i = 0; i < 200; i++) fps[i][0] = fps[i][1] = 7;
    let at = 200;
    for (let size = 2; size <= 17; size++) {
      for (let j = 0; j < size; j++, at++) {
        fps[at][0] = 8;
        fps[at][1] = size;
        if (j % 2 === 0) fps[at].fill(9, 2, 6);
      }
    }
    fps.forEach((fp, i) => expect(set.insert(fp, 0)).toBe(i));
    const again = Buffer.concat([randomBytes(5), fps[1234]]);
    expect(set.insert(again, 5)).toBe(-1);
    expect(set.add(again, 5)).toBe(1234);
    expect(set.size).toBe(5000);
    // Each fingerprint's value is its number, so the values say where each key came from.
    const values = Float64Array.from({ length: 6000 }, (_, i) => (i < 5000 ? i : -1));
    const sorted = set.sorted(values);
    const expected = fps
      .map((fp, i) => [fp, i] as const)
      .sort((a, b) => Buffer.compare(a[0], b[0]));
    expect(Array.from(sorted.values)).toEqual(expected.map(([, i]) => i));
    expect(Buffer.from(sorted.keys)).toEqual(Buffer.concat(expected.map(([fp]) => fp)));
    expect(Buffer.from(set.fingerprints.subarray(1234 * 32, 1235 * 32))).toEqual(fps[1234]);
  });

  it('sorts a large index, whose buckets are more than the first two bytes', () => {
    // 300,000 keys: buckets of 19 bits, so keys in one bucket can differ in the third byte.
    const fps = Array.from({ length: 300_000 }, () => randomBytes(32));
    for (let i = 0; i < 64; i++) {
      fps[i].fill(0x5c, 0, 2);
      fps[i][2] = 0xe0 | ((63 - i) % 32); // the top 3 bits of byte 2 alike, the rest not
    }
    const set = new FingerprintIndex(4);
    fps.forEach((fp, i) => expect(set.insert(fp, 0)).toBe(i));
    const sorted = set.sorted(Float64Array.from(fps, (_, i) => i));
    const expected = fps
      .map((fp, i) => [fp, i] as const)
      .sort((a, b) => Buffer.compare(a[0], b[0]));
    expect(Array.from(sorted.values)).toEqual(expected.map(([, i]) => i));
    expect(Buffer.from(sorted.keys).equals(Buffer.concat(expected.map(([fp]) => fp)))).toBe(true);
  });

  it('sorts buckets given in descending and in equal-prefix order, and an empty index', () => {
    expect(new FingerprintIndex().sorted(new Float64Array(0)).keys.length).toBe(0);
    // 16 keys (insertion sort) and 40 keys (sort()) in one bucket each, inserted largest first.
    for (const count of [16, 40]) {
      const set = new FingerprintIndex(4);
      const fps = Array.from({ length: count }, (_, i) => {
        const fp = Buffer.alloc(32, 0xaa);
        fp[31] = 255 - i;
        return fp;
      });
      fps.forEach((fp) => set.insert(fp, 0));
      const sorted = set.sorted(Float64Array.from(fps, (_, i) => i * 10));
      expect(Array.from(sorted.values)).toEqual(fps.map((_, i) => (count - 1 - i) * 10));
      expect(Buffer.from(sorted.keys)).toEqual(Buffer.concat([...fps].reverse()));
    }
  });
});
