import { JsonFieldScanner, createJsonFieldScanner } from '../../../src/core/ingest/json-fields';
import { parserDeps } from '../../../src/core/ingest/parse-pool';
import {
  SegmentParserOptions,
  SegmentResult,
  createSegmentParser,
} from '../../../src/core/ingest/segment-parser';

/** A deterministic pseudo-random source (xorshift32), so a failure can be replayed. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const KEYS = ['text', 'src', 'lic', 'other', 'te\\u0078t', '', 'x'];
const STRINGS = [
  '',
  'plain',
  'héllo wörld',
  'tab\\there',
  'quote \\" in',
  '\\ud800',
  '\\u00e9',
  'データ',
  'a/b',
];
const NUMBERS = [
  '0',
  '-0',
  '12',
  '-3.25',
  '1e5',
  '1E-2',
  '2.5e+3',
  '123456789012345678901234567890',
];

/** Lines without a backslash or a byte below 0x20 but "\n" (the scanner's plain case). */
let plainOnly = false;
// eslint-disable-next-line no-control-regex -- finding control bytes is the point
const hasEscapeOrControl = (text: string): boolean => /[\\\x00-\x1f]/.test(text);
const choices = (xs: string[]): string[] =>
  plainOnly ? xs.filter((x) => !hasEscapeOrControl(x)) : xs;

function value(rnd: () => number, depth: number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const r = rnd();
  if (depth > 3 || r < 0.45) return `"${pick(choices(STRINGS))}"`;
  if (r < 0.6) return pick(NUMBERS);
  if (r < 0.7) return pick(['true', 'false', 'null']);
  if (r < 0.85) {
    const n = Math.floor(rnd() * 4);
    return `[${Array.from({ length: n }, () => value(rnd, depth + 1)).join(pick([',', ' , ']))}]`;
  }
  return object(rnd, depth + 1);
}

function object(rnd: () => number, depth: number): string {
  const spaces = choices(['', ' ', '\t', ' \r ']);
  const keys = choices(KEYS);
  const ws = (): string => spaces[Math.floor(rnd() * spaces.length)];
  const n = Math.floor(rnd() * 5);
  const members = Array.from(
    { length: n },
    () =>
      `${ws()}"${keys[Math.floor(rnd() * keys.length)]}"${ws()}:${ws()}${value(rnd, depth)}${ws()}`,
  );
  return `{${members.join(',')}${n === 0 ? ws() : ''}}`;
}

const NOISE = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '\\',
  ' ',
  '0',
  '1',
  'e',
  '-',
  '.',
  't',
  'n',
  'u',
  '\u0001',
  '\u007f',
  'é',
];

/** A random line: mostly valid objects, some with one edit that may break them. */
function line(rnd: () => number): string {
  let text = rnd() < 0.1 ? value(rnd, 0) : object(rnd, 0);
  if (rnd() < 0.2) text = plainOnly ? ` ${text} ` : ` ${text}\t`;
  const noise = choices(NOISE);
  const edits = rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * 2);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (text.length + 1));
    const kind = rnd();
    if (kind < 0.4) text = text.slice(0, at) + text.slice(at + 1);
    else if (kind < 0.8)
      text = text.slice(0, at) + noise[Math.floor(rnd() * noise.length)] + text.slice(at);
    else text = text.slice(0, at);
  }
  return text;
}

/** What JSON.parse says of the fields, in the scanner's terms. */
function expected(text: string, keys: string[]): { ok: boolean; values: unknown[] } {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return { ok: false, values: [] };
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    return { ok: false, values: [] };
  }
  const values = keys.map((k) =>
    Object.prototype.hasOwnProperty.call(record, k)
      ? (record as Record<string, unknown>)[k]
      : undefined,
  );
  return { ok: true, values };
}

function scanned(scanner: JsonFieldScanner, bytes: Buffer, i: number): unknown {
  const kind = scanner.kinds[i];
  if (kind === 0) return undefined;
  const text = bytes.toString('utf8', scanner.starts[i], scanner.ends[i]);
  return kind === 1 ? text : JSON.parse(text);
}

describe('JSON field scanner', () => {
  const keys = ['text', 'src', 'lic'];

  it('finds top-level fields as JSON.parse does, the last of duplicates winning', () => {
    const scanner = createJsonFieldScanner(keys);
    const cases = [
      '{"text":"a","src":"s","lic":"MIT"}',
      ' {"lic" : 7 , "text":"x\\ny", "nested":{"text":"no"}, "text":"last"}\r',
      '{"text":{"b":[1,2,{"c":null}]},"src":true,"x":[]}',
      '{}',
      '{"text":"\\u00e9\\ud83d\\ude00"}',
    ];
    for (const text of cases) {
      const bytes = Buffer.from(text);
      expect(scanner.scan(bytes, 0, bytes.length)).toBe(true);
      const want = expected(text, keys);
      keys.forEach((_, i) => expect(scanned(scanner, bytes, i)).toEqual(want.values[i]));
    }
  });

  it('marks plain strings, whose bytes between the quotes are the value', () => {
    const scanner = createJsonFieldScanner(['text']);
    const bytes = Buffer.from('{"text":"héllo wörld"}');
    expect(scanner.scan(bytes, 0, bytes.length)).toBe(true);
    expect(scanner.kinds[0]).toBe(1);
    expect(bytes.subarray(scanner.starts[0], scanner.ends[0]).toString()).toBe('héllo wörld');
  });

  it('scans only data[start, end) of a larger buffer, plain or not', () => {
    const scanner = createJsonFieldScanner(['text']);
    const bytes = Buffer.from('{"text":"one"}\n{"text":"two"}\n');
    for (const plain of [false, true]) {
      expect(scanner.scan(bytes, 15, 29, plain)).toBe(true);
      expect(bytes.toString('utf8', scanner.starts[0], scanner.ends[0])).toBe('two');
      // Cut inside the string: unterminated within the range, whatever follows it.
      expect(scanner.scan(bytes, 0, 11, plain)).toBe(false);
      expect(scanner.scan(bytes, 0, 13, plain)).toBe(false);
    }
  });

  it('refuses what JSON.parse refuses, and leaves escaped keys to it', () => {
    const scanner = createJsonFieldScanner(keys);
    const invalid = [
      '',
      ' ',
      '{',
      '{"text":"a"',
      '{"text":"a"}x',
      '{"text":"a",}',
      '{"text":01}',
      '{"text":1.}',
      '{"text":.5}',
      '{"text":1e}',
      '{"text":-}',
      '{"text":+1}',
      '{"text":"\u0001"}',
      '{"text":"\\x"}',
      '{"text":"\\u12"}',
      '{"text":tru}',
      '{"text":[1,]}',
      '{"text":{"a"}}',
      '{"text" "a"}',
      "{'text':'a'}",
      '{"text":"a"}\u000b',
      '[{"text":"a"}]',
      '"text"',
      '{"te\\u0078t":"a"}',
    ];
    for (const text of invalid) {
      const bytes = Buffer.from(text);
      expect([text, scanner.scan(bytes, 0, bytes.length)]).toEqual([text, false]);
    }
  });

  /**
   * Scans 20,000 random lines: the scanner may leave a valid line to JSON.parse, but must never
   * accept an invalid one, and must give the values JSON.parse gives. Returns how many it accepted.
   */
  const agreeOnRandomLines = (seed: number, plain: boolean): number => {
    const rnd = random(seed);
    const scanner = createJsonFieldScanner(keys);
    let accepted = 0;
    plainOnly = plain;
    try {
      for (let n = 0; n < 20000; n++) {
        const text = line(rnd);
        const bytes = Buffer.from(text);
        if (plain) expect(hasEscapeOrControl(text)).toBe(false);
        const ok = scanner.scan(bytes, 0, bytes.length, plain);
        const want = expected(text, keys);
        // The plain path leaves no more valid lines to JSON.parse than the byte-by-byte one.
        if (plain && want.ok && scanner.scan(bytes, 0, bytes.length) !== ok) throw new Error(text);
        if (!ok) continue;
        accepted++;
        expect([text, want.ok]).toEqual([text, true]);
        keys.forEach((_, i) =>
          expect([text, scanned(scanner, bytes, i)]).toEqual([text, want.values[i]]),
        );
      }
    } finally {
      plainOnly = false;
    }
    return accepted;
  };

  it('agrees with JSON.parse on 20,000 random and damaged lines', () => {
    // It must also be a fast path in practice: most well-formed objects go through it.
    expect(agreeOnRandomLines(0x5eed, false)).toBeGreaterThan(8000);
  });

  it('agrees with JSON.parse on 20,000 random lines without escapes or control bytes, as plain', () => {
    expect(agreeOnRandomLines(0xc0ffee, true)).toBeGreaterThan(8000);
  });

  it.each([
    ['any lines', false],
    ['lines without escapes or control bytes', true],
  ])('gives the segment parser exactly the results of its JSON.parse path: %s', (_, plain) => {
    const rnd = random(plain ? 7 : 42);
    plainOnly = plain;
    let text: string;
    try {
      text = `${Array.from({ length: 5000 }, () => line(rnd)).join('\n')}\n`;
    } finally {
      plainOnly = false;
    }
    expect(hasEscapeOrControl(text.replace(/\n/g, ''))).toBe(!plain);
    const data = Buffer.from(text);
    const never: JsonFieldScanner = { ...createJsonFieldScanner([]), scan: () => false };
    const options: SegmentParserOptions = {
      format: 'jsonl',
      contentField: 'text',
      sourceField: 'src',
      licenseField: 'lic',
      maxLineBytes: 1 << 20,
      skipInvalid: true,
    };
    const job = { seq: 0, data, terminated: true, firstLineOfInput: true };
    const base = parserDeps;
    const fast = createSegmentParser(options, { ...base, createJsonFieldScanner }).parse(job);
    const slow = createSegmentParser(options, {
      ...base,
      createJsonFieldScanner: () => never,
    }).parse({ ...job, data: Buffer.from(data) });
    expect(fast.count).toBeGreaterThan(500);
    expect({ ...fast, data: null }).toEqual({ ...slow, data: null });
  });

  it('gives equal source and license values one label, however they are written', () => {
    const lines = [
      '{"text":"1","src":"ab","lic":"MIT"}',
      '{"text":"2","src":"a\\u0062","lic":"MIT"}',
      '{"text":"3","src":"ab","lic":"MIT"}',
      '{"text":"4","src":"ab","lic":"Apache-2.0"}',
      '{"text":"5","lic":"MIT"}',
      '{"text":"6","src":"","lic":"MIT"}',
      '{"text":"7","src":null,"lic":"MIT"}',
      '{"text":"8","src":7,"lic":"MIT"}',
      '{"text":"9","src":"7","lic":"MIT"}',
      '{"text":"10","src":"ab","lic":"MIT"}',
    ];
    const parse = (fields: { sourceField?: string; licenseField?: string }): SegmentResult =>
      createSegmentParser(
        {
          format: 'jsonl',
          contentField: 'text',
          maxLineBytes: 1 << 20,
          skipInvalid: false,
          ...fields,
        },
        parserDeps,
      ).parse({
        seq: 0,
        data: Buffer.from(`${lines.join('\n')}\n`),
        terminated: true,
        firstLineOfInput: true,
      });
    const result = parse({ sourceField: 'src', licenseField: 'lic' });
    expect([...result.labels]).toEqual([0, 0, 0, 1, 2, 2, 2, 3, 3, 0]);
    expect(result.newLabels).toEqual(['ab', 'MIT', 'ab', 'Apache-2.0', null, 'MIT', '7', 'MIT']);

    // Only a license field: the source slot is not there to compare.
    const licenseOnly = parse({ licenseField: 'lic' });
    expect([...licenseOnly.labels]).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(licenseOnly.newLabels).toEqual([null, 'MIT', null, 'Apache-2.0']);
  });
});
