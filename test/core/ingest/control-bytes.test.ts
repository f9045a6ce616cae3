import { createControlByteScanner } from '../../../src/core/ingest/control-bytes';

// eslint-disable-next-line no-control-regex -- the definition the scanner is held to
const reference = (data: Buffer): boolean => /[\x00-\x09\x0b-\x1f]/.test(data.toString('latin1'));

describe('control byte scanner', () => {
  const hasControlBytes = createControlByteScanner();

  it('finds every byte below 0x20 but "\\n", at every position of a 64-byte round', () => {
    for (let value = 0; value < 256; value++) {
      for (const length of [1, 63, 64, 65, 200]) {
        for (const at of new Set([0, length >> 1, length - 1])) {
          const data = Buffer.alloc(length, 0x61);
          data[at] = value;
          expect([value, length, at, hasControlBytes(data)]).toEqual([
            value,
            length,
            at,
            value < 0x20 && value !== 0x0a,
          ]);
        }
      }
    }
  });

  it('agrees with the regular expression on random data, and on views into larger buffers', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 5000; round++) {
      const whole = Buffer.alloc(random(400) + 1, 0x20);
      for (let k = random(4); k > 0; k--) whole[random(whole.length)] = random(0x30);
      const start = random(whole.length);
      const data = whole.subarray(start, start + random(whole.length - start + 1));
      expect(hasControlBytes(data)).toBe(reference(data));
    }
    expect(hasControlBytes(Buffer.alloc(0))).toBe(false);
  });

  it('grows its memory for segments longer than it started with, and keeps working after', () => {
    const big = Buffer.alloc(5 << 20, 0x41);
    expect(hasControlBytes(big)).toBe(false);
    big[big.length - 1] = 0x1f;
    expect(hasControlBytes(big)).toBe(true);
    expect(hasControlBytes(Buffer.from('{"a":"b"}\n{"c":1}\n'))).toBe(false);
    expect(hasControlBytes(Buffer.from('{"a":"b\tc"}\n'))).toBe(true);
  });
});
