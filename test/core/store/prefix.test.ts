import { join } from 'node:path';
import { UsageError } from '../../../src/core/errors';
import {
  KeyStorage,
  PrefixLookup,
  SHOWN_CANDIDATES,
  findByPrefix,
  prefixRange,
} from '../../../src/core/store/prefix';
import { Store } from '../../../src/core/store/store';
import { tempDir } from '../../helpers/cli';
import { usageError } from '../../helpers/errors';

interface Row {
  key: string | Uint8Array;
  n: number;
}

const hexOf = (key: string | Uint8Array): string =>
  typeof key === 'string' ? key : Buffer.from(key).toString('hex');

// Every failure says which one it is, so a test can tell them apart.
function lookup(storage: KeyStorage, fullLength?: number): PrefixLookup<Row> {
  return {
    table: storage === 'text' ? 'keys_text' : 'keys_blob',
    column: 'key',
    storage,
    minLength: 3,
    fullLength,
    invalid: (ref) => new UsageError(`invalid "${ref}"`),
    tooShort: (ref) => new UsageError(`too short "${ref}"`),
    notFound: (ref, prefix) => new UsageError(`not found "${ref}" (${prefix})`),
    ambiguous: {
      subject: (ref) => `prefix "${ref}"`,
      candidate: (row) => `${hexOf(row.key)} #${row.n}`,
      hint: 'give more',
    },
  };
}

describe('prefixRange', () => {
  it('raises the last character of a text prefix', () => {
    expect(prefixRange('3f9a', 'text')).toEqual({ lo: '3f9a', hi: '3f9b' });
    expect(prefixRange('3f9f', 'text')).toEqual({ lo: '3f9f', hi: '3f9g' });
    expect(prefixRange('3f99', 'text')).toEqual({ lo: '3f99', hi: '3f9:' });
  });

  it('adds one at the last hex digit of a byte prefix, carrying over trailing f', () => {
    const hex = (range: { lo: unknown; hi?: unknown }): (string | undefined)[] =>
      [range.lo, range.hi].map((b) =>
        b === undefined ? undefined : (b as Buffer).toString('hex'),
      );
    expect(hex(prefixRange('ab12', 'blob'))).toEqual(['ab12', 'ab13']);
    expect(hex(prefixRange('ab1', 'blob'))).toEqual(['ab10', 'ab20']);
    expect(hex(prefixRange('abf', 'blob'))).toEqual(['abf0', 'ac']);
    expect(hex(prefixRange('abff', 'blob'))).toEqual(['abff', 'ac']);
    expect(hex(prefixRange('a9ff', 'blob'))).toEqual(['a9ff', 'aa']);
    expect(hex(prefixRange('0fff', 'blob'))).toEqual(['0fff', '10']);
    // Nothing is above an all-f prefix: no upper bound.
    expect(hex(prefixRange('ffff', 'blob'))).toEqual(['ffff', undefined]);
    expect(hex(prefixRange('fff', 'blob'))).toEqual(['fff0', undefined]);
  });
});

describe('findByPrefix', () => {
  let dir: string;
  let cleanup: () => void;
  let store: Store;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('origin-prefix-'));
    store = await Store.open(join(dir, 'o.db'), { mode: 'create' });
    store.run('CREATE TABLE keys_blob (key BLOB NOT NULL UNIQUE, n INTEGER)');
    store.run('CREATE TABLE keys_text (key TEXT NOT NULL UNIQUE, n INTEGER)');
  });
  afterEach(async () => {
    await store.abandon();
    cleanup();
  });

  const insert = (storage: KeyStorage, hexKeys: string[]): void => {
    hexKeys.forEach((hex, n) => {
      const key = storage === 'text' ? hex : Buffer.from(hex, 'hex');
      store.run(`INSERT INTO keys_${storage} (key, n) VALUES (?, ?)`, [key, n]);
    });
  };
  const find = (storage: KeyStorage, ref: string, fullLength?: number): Row =>
    findByPrefix(store, lookup(storage, fullLength), ref);
  const found = (storage: KeyStorage, ref: string, fullLength?: number): string =>
    hexOf(find(storage, ref, fullLength).key);

  const full = (head: string, fill = '0'): string => head.padEnd(64, fill);

  for (const storage of ['blob', 'text'] as const) {
    describe(`${storage} keys`, () => {
      it('finds the unique key a prefix names, in any case and with spaces around it', () => {
        insert(storage, [full('ab12'), full('ab34'), full('cd')]);
        expect(found(storage, 'ab12')).toBe(full('ab12'));
        expect(found(storage, ' AB340 ')).toBe(full('ab34'));
        expect(found(storage, 'ab3')).toBe(full('ab34'));
      });

      it('refuses an ambiguous prefix, listing the candidates in key order', () => {
        insert(storage, [full('ab129'), full('ab121'), full('ab3')]);
        const err = usageError(() => find(storage, 'AB12'));
        expect(err.message).toBe(
          `prefix "AB12" is ambiguous; it matches:\n  ${full('ab121')} #1\n  ${full('ab129')} #0`,
        );
        expect(err.hint).toBe('give more');
        expect(found(storage, 'ab121')).toBe(full('ab121'));
      });

      it(`lists at most ${SHOWN_CANDIDATES} candidates, then "…"`, () => {
        const keys = Array.from({ length: 12 }, (_, i) => full(`abcd${i.toString(16)}`));
        insert(storage, keys);
        const lines = usageError(() => find(storage, 'abcd')).message.split('\n');
        expect(lines.slice(1, -1)).toEqual(keys.slice(0, 10).map((k, n) => `  ${k} #${n}`));
        expect(lines[lines.length - 1]).toBe('  …');
        // Exactly the shown number of matches: all listed, no "…".
        const ten = Array.from({ length: 10 }, (_, i) => full(`bbbb${i}`));
        insert(storage, ten);
        const listed = usageError(() => find(storage, 'bbbb')).message.split('\n');
        expect(listed.slice(1)).toEqual(ten.map((k, n) => `  ${k} #${n}`));
      });

      it('says when nothing matches', () => {
        insert(storage, [full('ab12')]);
        expect(usageError(() => find(storage, 'AB13')).message).toBe('not found "AB13" (ab13)');
        expect(usageError(() => find(storage, full('ab13'))).message).toMatch(/^not found/);
      });

      it('refuses a prefix shorter than the minimum before looking', () => {
        insert(storage, [full('ab12')]);
        expect(usageError(() => find(storage, 'ab')).message).toBe('too short "ab"');
        expect(usageError(() => find(storage, ' ab  ')).message).toBe('too short " ab  "');
      });

      it('refuses what is not hexadecimal, whatever its length', () => {
        insert(storage, [full('ab12')]);
        for (const bad of ['', '   ', 'ab1g', 'ab12 34', 'ab12%', "ab12' OR 1=1 --", 'ab_2', 'x']) {
          expect(usageError(() => find(storage, bad)).message).toBe(`invalid "${bad}"`);
        }
      });

      it('finds a full key exactly, even when others extend it', () => {
        const key = full('ab12');
        insert(storage, [key, full('ab12', '1')]);
        expect(found(storage, key, 64)).toBe(key);
        expect(found(storage, key.toUpperCase(), 64)).toBe(key);
        expect(usageError(() => find(storage, `${key}0`, 64)).message).toBe(`invalid "${key}0"`);
        // With no full length a longer reference is a prefix that matches nothing.
        expect(usageError(() => find(storage, `${key}0`)).message).toMatch(/^not found/);
      });

      it('keeps prefixes ending in f or ff apart from their neighbours', () => {
        insert(storage, [
          full('abcdef'),
          full('abcdf0'),
          full('abcdff'),
          full('abce00'),
          full('abd0'),
          full('ffff'),
          full('fffe'),
        ]);
        expect(found(storage, 'abcdf0')).toBe(full('abcdf0'));
        expect(found(storage, 'abcdff')).toBe(full('abcdff'));
        expect(found(storage, 'abcde')).toBe(full('abcdef'));
        expect(usageError(() => find(storage, 'abcdf')).message).toMatch(/ambiguous/);
        expect(found(storage, 'abce')).toBe(full('abce00'));
        expect(usageError(() => find(storage, 'abcf')).message).toMatch(/^not found/);
        expect(found(storage, 'ffff')).toBe(full('ffff'));
        expect(found(storage, 'ffff0')).toBe(full('ffff'));
        expect(found(storage, 'fffe')).toBe(full('fffe'));
        expect(usageError(() => find(storage, 'fff')).message).toMatch(/ambiguous/);
        expect(found(storage, full('ffff'), 64)).toBe(full('ffff'));
      });
    });
  }

  it('agrees with a reference (hex starts with the prefix) on keys that share long prefixes', () => {
    // Bytes from a small alphabet make long shared prefixes, 0 and f at every position.
    const alphabet = ['00', '0f', 'f0', 'ff', '7f', '80'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const keys = new Set<string>();
    while (keys.size < 300) {
      keys.add(Array.from({ length: 32 }, () => alphabet[next() % alphabet.length]).join(''));
    }
    const all = [...keys];
    insert('blob', all);
    insert('text', all);
    const prefixes = new Set<string>();
    for (const key of all.slice(0, 60)) {
      for (let len = 4; len <= 12; len++) prefixes.add(key.slice(0, len));
    }
    for (const head of ['0000', 'ffff', 'fffff', '7fff', '8000', 'f0f0f', '0f0f0']) {
      prefixes.add(head);
    }
    for (const prefix of prefixes) {
      const matches = all.filter((k) => k.startsWith(prefix)).sort();
      for (const storage of ['blob', 'text'] as const) {
        const outcome = ((): string => {
          try {
            return `found ${found(storage, prefix)}`;
          } catch (err) {
            const message = (err as Error).message;
            return message.startsWith('not found') ? 'none' : message.split(';')[0];
          }
        })();
        const expected =
          matches.length === 0
            ? 'none'
            : matches.length === 1
              ? `found ${matches[0]}`
              : `prefix "${prefix}" is ambiguous`;
        expect([storage, prefix, outcome]).toEqual([storage, prefix, expected]);
      }
    }
  });
});
