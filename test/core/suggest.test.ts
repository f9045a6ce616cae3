import { didYouMean, suggestions } from '../../src/core/suggest';

describe('did-you-mean suggestions', () => {
  const commands = ['inspect', 'ingest', 'init', 'verify', 'verify-proof', 'version', 'conflicts'];

  it('finds a typo within a third of the length (at least two edits)', () => {
    expect(suggestions('inpsect', commands)).toEqual(['inspect']);
    expect(suggestions('conflcts', commands)).toEqual(['conflicts']);
    expect(suggestions('ingset', commands)).toEqual(['ingest']);
  });

  it('lists every candidate a prefix starts, sorted', () => {
    expect(suggestions('ver', commands)).toEqual(['verify', 'verify-proof', 'version']);
  });

  it('suggests nothing for a word far from every candidate', () => {
    expect(suggestions('bogus', commands)).toEqual([]);
    expect(suggestions('', commands)).toEqual([]);
    expect(didYouMean('zzzzzz', commands)).toBe('');
  });

  it('words the suggestion as a question, at most three', () => {
    expect(didYouMean('inpsect', commands)).toBe(' Did you mean inspect?');
    expect(didYouMean('ver', commands, (c) => `\`${c}\``)).toBe(
      ' Did you mean `verify`, `verify-proof` or `version`?',
    );
    expect(didYouMean('i', commands)).toBe(' Did you mean ingest, init or inspect?');
  });
});
