import { MAX_DEPTH, iJsonViolation } from '../../../src/core/samples/i-json';

const check = (text: string): string | undefined => iJsonViolation(JSON.parse(text), text);

describe('iJsonViolation', () => {
  it('accepts I-JSON, including colons inside strings and keys repeated across objects', () => {
    for (const text of [
      '{"a":1,"b":[1,2.5,-3e10],"c":{"d":null}}',
      '{"url":"http://x:80/a:b","t":"12:30"}',
      '[{"k":1},{"k":2},{"o":{"k":3}}]',
      '{"k":"\\":\\"","x":{"k":1}}',
      '{"smile":"\\ud83d\\ude00"}',
      '"a bare string"',
      '{}',
    ]) {
      expect([text, check(text)]).toEqual([text, undefined]);
    }
  });

  it('refuses numbers that overflow a double, wherever they are', () => {
    expect(check('{"a":[1,{"b":1e400}]}')).toMatch(/overflows a double/);
    expect(check('-1e309')).toMatch(/overflows a double/);
  });

  it('refuses lone surrogates in values and keys, but not escaped backslashes', () => {
    expect(check('{"a":"\\ud800"}')).toMatch(/lone UTF-16 surrogate/);
    expect(check('{"\\udc00":1}')).toMatch(/lone UTF-16 surrogate/);
    expect(check('{"a":"\\\\ud800"}')).toBeUndefined();
  });

  it('finds a repeated key in any object, and only within one object', () => {
    expect(check('{"a":1,"a":2}')).toBe(
      'duplicate key "a" in one object (I-JSON forbids repeated keys; keep one)',
    );
    expect(check('{"x":"1:2","o":{"k":1, "k" :2}}')).toMatch(/duplicate key "k"/);
    expect(check('{"a\\u0062":1,"ab":2}')).toMatch(/duplicate key "ab"/);
    expect(check('{"o":{"k":1},"p":{"k":2}}')).toBeUndefined();
    expect(check('{ "a" : 1 , "a"\t:\t2 }')).toMatch(/duplicate key "a"/);
    expect(check('{"u":"https://x/\\":y","u":1}')).toMatch(/duplicate key "u"/);
    expect(check('{"u":"http://a:1/b","t":"\\":"}')).toBeUndefined();
  });

  it('limits nesting to MAX_DEPTH levels', () => {
    const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
    expect(check(nested(MAX_DEPTH))).toBeUndefined();
    expect(check(nested(MAX_DEPTH + 1))).toMatch(/deeper than 512 levels/);
  });
});
