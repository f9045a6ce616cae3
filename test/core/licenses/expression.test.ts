import { UsageError } from '../../../src/core/errors';
import {
  expressionAlternatives,
  formatExpression,
  loadTaxonomy,
  parseExpression,
  suggestExpression,
} from '../../../src/core/licenses';
import { usageError } from '../../helpers/errors';

const taxonomy = loadTaxonomy();
const parse = (text: string) => parseExpression(text, taxonomy);

describe('SPDX expressions', () => {
  it('parses a single id', () => {
    const parsed = parse('MIT');
    expect(parsed.expression).toBe('MIT');
    expect(parsed.tree).toEqual({ type: 'license', id: 'MIT' });
    expect(parsed.licenses).toEqual(['MIT']);
    expect(parsed.mappings).toEqual([]);
  });

  it('parses AND, OR and parentheses with SPDX precedence (AND binds tighter)', () => {
    const parsed = parse('MIT OR Apache-2.0 AND BSD-3-Clause');
    expect(parsed.tree).toEqual({
      type: 'or',
      args: [
        { type: 'license', id: 'MIT' },
        {
          type: 'and',
          args: [
            { type: 'license', id: 'Apache-2.0' },
            { type: 'license', id: 'BSD-3-Clause' },
          ],
        },
      ],
    });
    expect(parsed.expression).toBe('MIT OR (Apache-2.0 AND BSD-3-Clause)');
    expect(parse('(MIT OR Apache-2.0) AND BSD-3-Clause').expression).toBe(
      '(MIT OR Apache-2.0) AND BSD-3-Clause',
    );
    expect(parse('MIT AND (ISC AND Zlib)').tree).toEqual({
      type: 'and',
      args: ['MIT', 'ISC', 'Zlib'].map((id) => ({ type: 'license', id })),
    });
  });

  it('accepts lower-case operators and normalises them', () => {
    expect(parse('mit or apache-2.0').expression).toBe('MIT OR Apache-2.0');
  });

  it('parses WITH exceptions, also on LicenseRef- ids', () => {
    const parsed = parse('GPL-2.0-or-later WITH Classpath-exception-2.0');
    expect(parsed.tree).toEqual({
      type: 'license',
      id: 'GPL-2.0-or-later',
      exception: 'Classpath-exception-2.0',
    });
    expect(parsed.expression).toBe('GPL-2.0-or-later WITH Classpath-exception-2.0');
    expect(parse('LicenseRef-Mine WITH LLVM-exception').tree).toEqual({
      type: 'license',
      id: 'LicenseRef-Mine',
      exception: 'LLVM-exception',
    });
  });

  it('turns "+" into the -or-later id', () => {
    const parsed = parse('GPL-2.0-only+');
    expect(parsed.expression).toBe('GPL-2.0-or-later');
    expect(parsed.mappings).toEqual([
      { from: 'GPL-2.0-only+', to: 'GPL-2.0-or-later', reason: 'or-later' },
    ]);
    expect(parse('GPL-2.0+').expression).toBe('GPL-2.0-or-later');
    expect(parse('LGPL-2.1+ AND MIT').expression).toBe('LGPL-2.1-or-later AND MIT');
    // No -or-later form: the "+" is kept.
    expect(parse('Zlib+').tree).toEqual({ type: 'license', id: 'Zlib', plus: true });
    expect(parse('Zlib+').expression).toBe('Zlib+');
  });

  it('keeps LicenseRef- and DocumentRef- ids', () => {
    expect(parse('LicenseRef-Acme-1.0').licenses).toEqual(['LicenseRef-Acme-1.0']);
    expect(parse('DocumentRef-spdx-tool:LicenseRef-Acme').licenses).toEqual([
      'DocumentRef-spdx-tool:LicenseRef-Acme',
    ]);
    expect(parse('licenseref-acme').expression).toBe('LicenseRef-acme');
  });

  it('maps deprecated SPDX ids to their current form', () => {
    expect(parse('GPL-2.0').expression).toBe('GPL-2.0-only');
    expect(parse('LGPL-2.0').expression).toBe('LGPL-2.0-only');
    expect(parse('LGPL-2.0').mappings[0].reason).toBe('deprecated');
  });

  it('accepts valid SPDX ids the taxonomy does not list', () => {
    expect(parse('Beerware').licenses).toEqual(['Beerware']);
  });

  it('lists distinct ids and drops repeated operands', () => {
    const parsed = parse('MIT AND MIT AND (ISC OR MIT)');
    expect(parsed.licenses).toEqual(['MIT', 'ISC']);
    expect(parsed.expression).toBe('MIT AND (ISC OR MIT)');
  });
});

describe('Hugging Face license ids', () => {
  it.each([
    ['mit', 'MIT'],
    ['apache-2.0', 'Apache-2.0'],
    ['cc-by-4.0', 'CC-BY-4.0'],
    ['cc-by-nc-sa-4.0', 'CC-BY-NC-SA-4.0'],
    ['cc0-1.0', 'CC0-1.0'],
    ['bsd-3-clause', 'BSD-3-Clause'],
    ['gpl-3.0', 'GPL-3.0-only'],
    ['agpl-3.0', 'AGPL-3.0-only'],
    ['lgpl-2.1', 'LGPL-2.1-only'],
    ['odbl', 'ODbL-1.0'],
    ['odc-by', 'ODC-By-1.0'],
    ['pddl', 'PDDL-1.0'],
    ['cdla-permissive-2.0', 'CDLA-Permissive-2.0'],
    ['openrail', 'LicenseRef-OpenRAIL'],
    ['openrail++', 'LicenseRef-OpenRAIL-PlusPlus'],
    ['creativeml-openrail-m', 'LicenseRef-CreativeML-OpenRAIL-M'],
    ['bigscience-openrail-m', 'LicenseRef-BigScience-OpenRAIL-M'],
    ['bigscience-bloom-rail-1.0', 'LicenseRef-BigScience-BLOOM-RAIL-1.0'],
    ['bigcode-openrail-m', 'LicenseRef-BigCode-OpenRAIL-M'],
    ['llama2', 'LicenseRef-Llama-2'],
    ['llama3', 'LicenseRef-Llama-3'],
    ['llama3.1', 'LicenseRef-Llama-3.1'],
    ['gemma', 'LicenseRef-Gemma'],
    ['unknown', 'NOASSERTION'],
    ['other', 'LicenseRef-Other'],
  ])('%s → %s', (hf, id) => {
    const parsed = parse(hf);
    expect(parsed.expression).toBe(id);
    expect(parsed.licenses).toEqual([id]);
  });

  it('records how an alias was mapped', () => {
    expect(parse('llama2').mappings).toEqual([
      { from: 'llama2', to: 'LicenseRef-Llama-2', reason: 'alias' },
    ]);
    expect(parse('cc-by-4.0').mappings).toEqual([
      { from: 'cc-by-4.0', to: 'CC-BY-4.0', reason: 'case' },
    ]);
  });

  it('mixes Hugging Face ids into compound expressions', () => {
    expect(parse('llama2 AND (mit OR apache-2.0)').expression).toBe(
      'LicenseRef-Llama-2 AND (MIT OR Apache-2.0)',
    );
  });
});

describe('errors and near-miss suggestions', () => {
  it('suggests Apache-2.0 for "Apache 2" and does not guess silently', () => {
    const err = usageError(() => parse('Apache 2'));
    expect(err.message).toBe('unknown license "Apache 2"');
    expect(err.hint).toBe('Did you mean "Apache-2.0"?');
    expect(suggestExpression('Apache 2', taxonomy)).toBe('Apache-2.0');
  });

  it('applies the suggestion when asked to correct', () => {
    const parsed = parseExpression('Apache 2', taxonomy, { correct: true });
    expect(parsed.expression).toBe('Apache-2.0');
    expect(parsed.input).toBe('Apache 2');
    expect(parsed.mappings[0]).toEqual({ from: 'Apache 2', to: 'Apache-2.0', reason: 'corrected' });
  });

  it('suggests corrections word by word inside a compound expression', () => {
    const err = usageError(() => parse('MIT AND (Apache2 OR ISC)'));
    expect(err.message).toBe('unknown license "Apache2" in "MIT AND (Apache2 OR ISC)"');
    expect(err.hint).toBe('Did you mean "MIT AND (Apache-2.0 OR ISC)"?');
  });

  it('suggests ids from license names', () => {
    expect(usageError(() => parse('MIT License')).hint).toBe('Did you mean "MIT"?');
    expect(suggestExpression('GNU General Public License v3.0 only', taxonomy)).toBe(
      'GPL-3.0-only',
    );
  });

  it('rejects unknown ids without a near miss with a hint on what is accepted', () => {
    const err = usageError(() => parse('frobnicate-license-9'));
    expect(err.message).toBe('unknown license "frobnicate-license-9"');
    expect(err.hint).toMatch(/SPDX license id/);
  });

  it.each([
    ['', /empty license expression/],
    ['   ', /empty license expression/],
    ['MIT AND', /ends with an operator/],
    ['OR MIT', /missing license before OR/],
    ['MIT OR (Apache-2.0', /unbalanced "\("/],
    ['MIT)', /unbalanced "\)"|missing/],
    ['MIT WITH', /WITH must be followed/],
    ['MIT WITH Not-an-exception', /unknown license exception.*Not-an-exception/],
  ])('rejects %j', (text, message) => {
    expect(usageError(() => parse(text)).message).toMatch(message);
  });
});

describe('alternatives (disjunctive normal form)', () => {
  it('expands OR into alternatives and distributes AND', () => {
    const alternatives = expressionAlternatives(
      parse('(MIT OR Apache-2.0) AND (BSD-3-Clause OR ISC)').tree,
    );
    expect(alternatives.map((alt) => alt.map((t) => t.id))).toEqual([
      ['MIT', 'BSD-3-Clause'],
      ['MIT', 'ISC'],
      ['Apache-2.0', 'BSD-3-Clause'],
      ['Apache-2.0', 'ISC'],
    ]);
  });

  it('keeps exceptions on terms', () => {
    expect(
      expressionAlternatives(parse('GPL-2.0-only WITH Classpath-exception-2.0 OR MIT').tree),
    ).toEqual([[{ id: 'GPL-2.0-only', exception: 'Classpath-exception-2.0' }], [{ id: 'MIT' }]]);
  });

  it('refuses expressions with too many alternatives', () => {
    const text = Array.from({ length: 7 }, (_, i) => `(MIT OR LicenseRef-X${i})`).join(' AND ');
    expect(() => expressionAlternatives(parse(text).tree)).toThrow(UsageError);
  });

  it('formats trees back to normalised text', () => {
    const tree = parse('(mit and isc) or zlib').tree;
    expect(formatExpression(tree)).toBe('(MIT AND ISC) OR Zlib');
  });
});
