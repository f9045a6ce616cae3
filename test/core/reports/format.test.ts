import { compareCodeUnits } from '../../../src/core/compare';
import { code, count, markdownTable, text } from '../../../src/core/reports/markdown';

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

describe('Markdown escaping', () => {
  it('text: escapes what could start Markdown, HTML or an autolink, and shows line breaks', () => {
    expect(text('<img src=x onerror=alert(1)>')).toBe('\\<img src=x onerror=alert\\(1\\)\\>');
    expect(text('[a](http://x.example)')).toBe('\\[a\\]\\(http\\://x\\.example\\)');
    expect(text('- item')).toBe('\\- item');
    expect(text('a-b')).toBe('a-b');
    expect(text('two\nlines\r')).toBe('two\\u000alines\\u000d');
    expect(text('a | b')).toBe('a | b'); // pipes are the table's to escape
  });

  it('code: a fence longer than any backtick run inside, padded where needed', () => {
    expect(code('MIT')).toBe('`MIT`');
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('a\nb')).toBe('`a\\u000ab`');
    expect(code('')).toBe('(empty)');
  });

  it('markdownTable: pipes in cells cannot end a cell, newlines cannot end a row', () => {
    expect(markdownTable(['A'], [['x | y'], ['`p|q`'], ['n\nm']])).toEqual([
      '| A |',
      '| --- |',
      '| x \\| y |',
      '| `p\\|q` |',
      '| n\\u000am |',
    ]);
  });
});
