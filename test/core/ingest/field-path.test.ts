import { createHash } from 'node:crypto';
import { lookup, parseFieldPath } from '../../../src/core/ingest/field-path';
import { ParseOptions, SegmentParser } from '../../../src/core/ingest/parse';
import { UsageError } from '../../../src/core/errors';

const chat = {
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello!' },
  ],
  'a.b': { 'c/d': 1, '~': 2 },
  meta: { lang: 'en' },
};

describe('field paths', () => {
  it('reads JSON Pointers and dotted paths through objects and arrays alike', () => {
    const at = (p: string): unknown => lookup(chat, parseFieldPath(p, '--content-field'));
    expect(at('/messages/0/content')).toBe('Hi');
    expect(at('messages.1.content')).toBe('Hello!');
    expect(at('/messages/1')).toEqual({ role: 'assistant', content: 'Hello!' });
    expect(at('/a.b/c~1d')).toBe(1);
    expect(at('/a.b/~0')).toBe(2);
    expect(at('meta.lang')).toBe('en');
    // Not there: out of range, not an RFC 6901 index, a key of a string, an inherited property.
    for (const p of [
      '/messages/2/content',
      '/messages/01/content',
      '/messages/-',
      'meta.lang.x',
      'toString',
      '/meta/constructor',
    ]) {
      expect(at(p)).toBeUndefined();
    }
  });

  it('refuses malformed paths as usage errors', () => {
    for (const p of ['', '/', 'a..b', '.a', '/a/~2', '/a~']) {
      expect(() => parseFieldPath(p, '--content-field')).toThrow(UsageError);
    }
  });
});

describe('content of selected fields (SPEC §1 proposal)', () => {
  const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
  const parse = (options: Partial<ParseOptions>, line: string) => {
    const parser = new SegmentParser({
      format: 'jsonl',
      maxLineBytes: 1 << 20,
      skipInvalid: false,
      ...options,
    });
    const result = parser.parse({
      seq: 0,
      data: Buffer.from(`${line}\n`),
      terminated: true,
      firstLineOfInput: true,
    });
    const fps: string[] = [];
    for (let i = 0; i < result.count; i++)
      fps.push(Buffer.from(result.fingerprints.subarray(32 * i, 32 * i + 32)).toString('hex'));
    return { fps, sizes: [...result.sizes], failures: result.failures };
  };
  const line = JSON.stringify(chat);

  it('one field: a string as its bytes, anything else as JCS', () => {
    expect(parse({ contentFields: ['/messages/0/content'] }, line).fps).toEqual([sha('Hi')]);
    expect(parse({ contentFields: ['messages.1'] }, line).fps).toEqual([
      sha('{"content":"Hello!","role":"assistant"}'),
    ]);
  });

  it('several fields: the JCS of an object of exactly those fields, keyed as given', () => {
    const r = parse({ contentFields: ['meta.lang', '/messages/0/content'] }, line);
    expect(r.fps).toEqual([sha('{"/messages/0/content":"Hi","meta.lang":"en"}')]);
    expect(parse({ contentFields: ['__proto__', 'x'] }, '{"__proto__":1,"x":2}').fps).toEqual([
      sha('{"__proto__":1,"x":2}'),
    ]);
    const missing = parse({ contentFields: ['meta.lang', 'meta.nope'] }, line);
    expect(missing.failures).toEqual([
      { line: 1, reason: 'no content field "meta.nope" in this record' },
    ]);
  });

  it('a precomputed fingerprint is taken as it is, checked, and counts 0 content bytes', () => {
    const fp = sha('upstream');
    const r = parse(
      { fingerprintField: 'fp' },
      JSON.stringify({ fp: fp.toUpperCase(), text: 'x' }),
    );
    expect(r.fps).toEqual([fp]);
    expect(r.sizes).toEqual([0]);
    for (const bad of ['{"fp":"abc"}', `{"fp":"${'g'.repeat(64)}"}`, `{"fp":1}`, '{"text":"x"}']) {
      const f = parse({ fingerprintField: 'fp' }, bad).failures;
      expect(f).toHaveLength(1);
      expect(f[0].reason).toMatch(/fingerprint field "fp"/);
    }
  });
});
