import { LicenseCount, loadTaxonomy, propagate } from '../../../src/core/licenses';
import { Baseline } from '../../../src/core/licenses/waivers/baseline';
import { waiverFor } from '../../../src/core/licenses/waivers/waivers';

const row = (source: string, license: string, records = 1): LicenseCount => ({
  source,
  license,
  records,
  bytes: records * 10,
});
const NC = 'non-commercial-in-commercial-use';
const overlay = (text: string) =>
  loadTaxonomy({ overlayText: `version: 1\n${text}`, overlayPath: 'overlay.yaml' });

describe('waivers', () => {
  const taxonomy = overlay(
    [
      'waivers:',
      `  - { rule: ${NC}, license: cc-by-nc-4.0, source: "news-*", reason: bought, expires: 2027-06-30 }`,
      `  - { rule: ${NC}, source: forum, reason: trial, expires: 2026-01-31 }`,
    ].join('\n'),
  );
  const finding = (sources: string[], licenses = ['CC-BY-NC-4.0']) => ({
    rule: NC,
    licenses,
    sources,
  });

  it('are read from the overlay, license ids normalised, with where they were written', () => {
    expect(taxonomy.waivers).toEqual([
      {
        rule: NC,
        licenses: ['CC-BY-NC-4.0'],
        sources: ['news-*'],
        reason: 'bought',
        expires: '2027-06-30',
        defined_at: 'overlay.yaml:3',
      },
      {
        rule: NC,
        sources: ['forum'],
        reason: 'trial',
        expires: '2026-01-31',
        defined_at: 'overlay.yaml:4',
      },
    ]);
  });

  it('waive through the expiry day, then report the lapsed waiver', () => {
    const w = taxonomy.waivers;
    expect(waiverFor(w, finding(['news-a', 'news-b']), '2027-06-30').waived?.reason).toBe('bought');
    expect(waiverFor(w, finding(['news-a']), '2027-07-01')).toEqual({
      expired: { reason: 'bought', expires: '2027-06-30', defined_at: 'overlay.yaml:3' },
    });
    expect(waiverFor(w, finding(['forum']), '2026-02-01').expired?.reason).toBe('trial');
  });

  it('cover a finding only when its rule, a license and every source match', () => {
    const w = taxonomy.waivers;
    expect(waiverFor(w, finding(['news-a', 'blog']), '2026-06-01')).toEqual({});
    expect(waiverFor(w, finding(['news-a'], ['CC-BY-NC-SA-4.0']), '2026-06-01')).toEqual({});
    expect(waiverFor(w, { ...finding(['news-a']), rule: 'other' }, '2026-06-01')).toEqual({});
  });
});

describe('rules on sources and session metadata', () => {
  const taxonomy = overlay(
    [
      'rules:',
      '  - id: partner-mix',
      '    severity: warning',
      '    explanation: "{a} and {b} from partners"',
      '    when: { a: { id: MIT }, b: { id: Apache-2.0 }, source: "partner-*", session: { team: nlp } }',
    ].join('\n'),
  );
  const rows = [
    row('partner-a', 'MIT', 3),
    row('own', 'Apache-2.0'),
    row('partner-b', 'Apache-2.0'),
  ];

  it('a pair rule sees only matching sources, and only in matching sessions', () => {
    const hit = propagate(taxonomy, rows, { metadata: { team: 'nlp' } });
    expect(hit.warnings).toEqual([
      expect.objectContaining({
        rule: 'partner-mix',
        sources: ['partner-a', 'partner-b'],
        records: 4,
      }),
    ]);
    expect(propagate(taxonomy, rows, { metadata: { team: 'vision' } }).warnings).toEqual([]);
    expect(propagate(taxonomy, rows).warnings).toEqual([]);
    // Apache-2.0 only from a source the rule does not see: no finding.
    const own = propagate(taxonomy, [row('partner-a', 'MIT'), row('own', 'Apache-2.0')], {
      metadata: { team: 'nlp' },
    });
    expect(own.warnings).toEqual([]);
  });
});

describe('baselines', () => {
  const baseline = Baseline.from('b.json', {
    conflicts: [{ rule: NC, licenses: ['CC-BY-NC-4.0'], sources: ['news', 'forum'] }],
    warnings: [],
  });

  it('know a finding of the same rule and licenses whose sources they include', () => {
    expect(baseline.has({ rule: NC, licenses: ['CC-BY-NC-4.0'], sources: ['news'] })).toBe(true);
    expect(baseline.has({ rule: NC, licenses: ['CC-BY-NC-4.0'], sources: ['blog'] })).toBe(false);
    expect(baseline.has({ rule: NC, licenses: ['CC-BY-NC-SA-4.0'], sources: ['news'] })).toBe(
      false,
    );
  });

  it('refuse what is not a conflicts report', () => {
    expect(() => Baseline.from('b.json', [])).toThrow('expected a JSON object');
    expect(() => Baseline.from('b.json', { conflicts: [] })).toThrow('"warnings" is not a list');
  });
});
