import { UsageError } from '../../../src/core/errors';
import { LicenseCount, loadTaxonomy, propagate } from '../../../src/core/licenses';

const taxonomy = loadTaxonomy();
const row = (
  source: string,
  license: string,
  records = 1,
  bytes = records * 100,
): LicenseCount => ({
  source,
  license,
  records,
  bytes,
});

describe('propagation of licenses from sources to the whole', () => {
  it('MIT + Apache-2.0: permissions intersect, conditions and restrictions unite', () => {
    const result = propagate(taxonomy, [row('a', 'MIT', 10), row('b', 'Apache-2.0', 5)]);
    expect(result.compatible).toBe(true);
    expect(result.license).toBe('Apache-2.0 AND MIT');
    expect(result.permissions).toEqual([
      'commercial-use',
      'modification',
      'distribution',
      'private-use',
    ]);
    expect(result.conditions).toEqual([
      'include-license',
      'include-copyright',
      'notice-file',
      'state-changes',
    ]);
    expect(result.restrictions).toEqual([]);
    expect(result.copyleft).toBe('none');
    expect(result.use_category).toBe('commercial');
  });

  it('counts records and bytes per license and per source', () => {
    const result = propagate(taxonomy, [
      row('wiki', 'CC-BY-SA-4.0', 100, 1000),
      row('wiki', 'cc-by-4.0', 20, 200),
      row('code', 'MIT AND CC-BY-4.0', 7, 70),
    ]);
    expect(result.totals).toEqual({ records: 127, bytes: 1270, sources: 2 });
    expect(result.by_license).toEqual([
      expect.objectContaining({
        license: 'CC-BY-SA-4.0',
        records: 100,
        bytes: 1000,
        sources: ['wiki'],
      }),
      expect.objectContaining({
        license: 'CC-BY-4.0',
        records: 27,
        bytes: 270,
        sources: ['wiki', 'code'],
      }),
      expect.objectContaining({ license: 'MIT', records: 7, bytes: 70, sources: ['code'] }),
    ]);
    expect(result.by_source).toEqual([
      { source: 'wiki', licenses: ['CC-BY-SA-4.0', 'CC-BY-4.0'], records: 120, bytes: 1200 },
      { source: 'code', licenses: ['MIT AND CC-BY-4.0'], records: 7, bytes: 70 },
    ]);
  });

  it('lists attribution and share-alike obligations with their sources', () => {
    const result = propagate(taxonomy, [
      row('wiki', 'CC-BY-SA-4.0', 100),
      row('photos', 'CC-BY-4.0', 10),
      row('pd', 'CC0-1.0', 3),
    ]);
    expect(result.attribution.map((a) => [a.license, a.sources, a.records])).toEqual([
      ['CC-BY-SA-4.0', ['wiki'], 100],
      ['CC-BY-4.0', ['photos'], 10],
    ]);
    expect(result.attribution[0].url).toBe('https://spdx.org/licenses/CC-BY-SA-4.0.html');
    expect(result.share_alike).toEqual([
      expect.objectContaining({ license: 'CC-BY-SA-4.0', target: 'CC-BY-SA-4.0', records: 100 }),
    ]);
    expect(result.license).toBe('CC-BY-4.0 AND CC-BY-SA-4.0 AND CC0-1.0');
  });

  it('carries share-alike material under the license it all fits (GPL-2.0-or-later + CC-BY-SA-4.0 → GPL-3.0-only)', () => {
    const result = propagate(taxonomy, [
      row('wiki', 'CC-BY-SA-4.0', 100),
      row('code', 'GPL-2.0-or-later', 50),
      row('snippets', 'MIT', 10),
    ]);
    expect(result.compatible).toBe(true);
    expect(result.share_alike_target).toBe('GPL-3.0-only');
    expect(result.license).toBe('GPL-3.0-only AND MIT');
    expect(result.copyleft).toBe('strong');
    expect(result.share_alike.map((s) => [s.license, s.target])).toEqual([
      ['CC-BY-SA-4.0', 'GPL-3.0-only'],
      ['GPL-2.0-or-later', 'GPL-3.0-only'],
    ]);
  });

  it('keeps a single license as it is', () => {
    expect(propagate(taxonomy, [row('a', 'GPL-2.0-or-later'), row('b', 'GPL-2.0+')]).license).toBe(
      'GPL-2.0-or-later',
    );
  });

  it('reports conflicts with the sources and record counts involved, and the result is mixed', () => {
    const result = propagate(taxonomy, [
      row('gpl-code', 'GPL-3.0-only', 10, 1000),
      row('internal', 'LicenseRef-Proprietary', 5, 500),
      row('vendor', 'proprietary', 3, 300),
      row('docs', 'MIT', 100, 10000),
    ]);
    expect(result.compatible).toBe(false);
    expect(result.license).toBe('mixed');
    expect(result.conflicts).toHaveLength(1);
    const [conflict] = result.conflicts;
    expect(conflict.rule).toBe('copyleft-with-proprietary');
    expect(conflict.sources).toEqual(['gpl-code', 'internal', 'vendor']);
    expect(conflict.records).toBe(18);
    expect(conflict.bytes).toBe(1800);
    expect(conflict.involved).toEqual([
      { license: 'GPL-3.0-only', records: 10, bytes: 1000, sources: ['gpl-code'] },
      {
        license: 'LicenseRef-Proprietary',
        records: 8,
        bytes: 800,
        sources: ['internal', 'vendor'],
      },
    ]);
  });

  it('non-commercial data for a commercial use is a conflict, with its sources', () => {
    const counts = [row('cc', 'CC-BY-4.0', 40), row('nc', 'CC-BY-NC-4.0', 2)];
    const commercial = propagate(taxonomy, counts, { use: 'commercial' });
    expect(commercial.use).toBe('commercial');
    expect(commercial.use_category).toBe('non-commercial');
    expect(commercial.warnings).toEqual([]);
    expect(commercial.conflicts.map((w) => [w.rule, w.sources, w.records])).toEqual([
      ['non-commercial-in-commercial-use', ['nc'], 2],
    ]);
    expect(commercial.restrictions).toEqual(['non-commercial']);
    expect(commercial.permissions).not.toContain('commercial-use');
    const research = propagate(taxonomy, counts, { use: 'research' });
    expect(research.warnings).toEqual([]);
    expect(research.conflicts).toEqual([]);
    expect(research.use_category).toBe('non-commercial');
  });

  it.each([
    [['MIT', 'CC0-1.0'], 'commercial'],
    [['MIT', 'CC-BY-NC-SA-4.0'], 'non-commercial'],
    [['MIT', 'CC-BY-NC-4.0', 'fair-noncommercial-research-license'], 'academic-only'],
    [['MIT', 'unknown'], 'unspecified'],
    [['unknown', 'CC-BY-NC-4.0'], 'non-commercial'],
  ])('use category of %j is %s', (licenses, category) => {
    const result = propagate(
      taxonomy,
      licenses.map((license, i) => row(`s${i}`, license)),
      { use: 'research' },
    );
    expect(result.use_category).toBe(category);
  });

  it('unknown licenses make the result mixed and warn', () => {
    const result = propagate(taxonomy, [row('a', 'unknown', 4), row('b', 'MIT', 6)]);
    expect(result.license).toBe('mixed');
    expect(result.permissions).toEqual([]);
    expect(result.warnings.map((w) => [w.rule, w.sources, w.records])).toEqual([
      ['unknown-license', ['a'], 4],
    ]);
  });

  it('treats an empty license as NOASSERTION', () => {
    const result = propagate(taxonomy, [row('a', '', 4)]);
    expect(result.license).toBe('NOASSERTION');
    expect(result.by_source[0].licenses).toEqual(['NOASSERTION']);
    expect(result.use_category).toBe('unspecified');
  });

  it('counts an OR source under the option picked, and reports the choice', () => {
    const result = propagate(taxonomy, [
      row('dual', 'MIT OR GPL-3.0-only', 30),
      row('internal', 'LicenseRef-Proprietary', 5),
    ]);
    expect(result.compatible).toBe(true);
    expect(result.choices.map((c) => [c.expression, c.picked])).toEqual([
      ['MIT OR GPL-3.0-only', 'MIT'],
    ]);
    expect(result.by_license.map((l) => [l.license, l.records])).toEqual([
      ['MIT', 30],
      ['LicenseRef-Proprietary', 5],
    ]);
    expect(result.license).toBe('LicenseRef-Proprietary AND MIT');
  });

  it('returns an empty summary for no input', () => {
    const result = propagate(taxonomy, []);
    expect(result.license).toBe('NOASSERTION');
    expect(result.use_category).toBe('unspecified');
    expect(result.totals).toEqual({ records: 0, bytes: 0, sources: 0 });
    expect(result.by_license).toEqual([]);
  });

  it('rejects malformed rows and bad expressions with usage errors', () => {
    expect(() => propagate(taxonomy, [row('a', 'MIT', -1)])).toThrow(UsageError);
    expect(() => propagate(taxonomy, [{ ...row('a', 'MIT'), bytes: Number.NaN }])).toThrow(
      /row 1: bytes/,
    );
    expect(() => propagate(taxonomy, [row('', 'MIT')])).toThrow(/source/);
    expect(() => propagate(taxonomy, [row('a', 'Apache 2')])).toThrow(/Apache 2/);
  });

  it('is fast on aggregated input: 20,000 rows in well under a second', () => {
    const licenses = [
      'MIT',
      'Apache-2.0',
      'BSD-3-Clause',
      'CC-BY-4.0',
      'CC-BY-SA-4.0',
      'CC0-1.0',
      'ODC-By-1.0',
      'MIT OR Apache-2.0',
      'cc-by-nc-4.0',
      'unknown',
    ];
    const counts: LicenseCount[] = [];
    for (let i = 0; i < 20_000; i++) {
      counts.push(row(`source-${i % 2000}`, licenses[i % licenses.length], (i % 97) + 1));
    }
    const result = propagate(taxonomy, counts);
    expect(result.totals.sources).toBe(2000);
    expect(result.totals.records).toBe(counts.reduce((n, c) => n + c.records, 0));
    expect(result.warnings.map((w) => w.rule)).toEqual(['unknown-license']);
    expect(result.conflicts.map((c) => c.rule).sort()).toEqual([
      'copyleft-forbids-further-restrictions',
      'non-commercial-in-commercial-use',
    ]);
  });
});
