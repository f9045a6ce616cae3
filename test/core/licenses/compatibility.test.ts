import {
  CompatibilityReport,
  checkCompatibility,
  commonLicense,
  effectiveLicense,
  isUsableUnder,
  loadTaxonomy,
  parseExpression,
  usableUnder,
} from '../../../src/core/licenses';

const taxonomy = loadTaxonomy();
const check = (expressions: string[], use?: 'commercial' | 'research') =>
  checkCompatibility(taxonomy, expressions, use ? { use } : {});
const rules = (findings: CompatibilityReport['conflicts']) => findings.map((f) => f.rule);

describe('the five reference scenarios', () => {
  it('MIT + Apache-2.0: compatible, obligations are the union of both', () => {
    const report = check(['MIT', 'Apache-2.0']);
    expect(report.compatible).toBe(true);
    expect(report.conflicts).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.licenses.map((l) => l.key)).toEqual(['MIT', 'Apache-2.0']);
    const conditions = new Set(report.licenses.flatMap((l) => l.conditions));
    expect([...conditions].sort()).toEqual(
      ['include-copyright', 'include-license', 'notice-file', 'state-changes'].sort(),
    );
  });

  it('GPL-3.0-only + proprietary: conflict', () => {
    const report = check(['GPL-3.0-only', 'proprietary']);
    expect(report.compatible).toBe(false);
    expect(rules(report.conflicts)).toEqual(['copyleft-with-proprietary']);
    expect(report.conflicts[0].licenses).toEqual(['GPL-3.0-only', 'LicenseRef-Proprietary']);
    expect(report.conflicts[0].expressions).toEqual(['GPL-3.0-only', 'LicenseRef-Proprietary']);
    expect(report.conflicts[0].message).toContain('GPL-3.0-only is strong copyleft');
  });

  it('CC-BY-4.0 + CC-BY-NC-4.0: a conflict when the use is commercial, nothing for research', () => {
    const commercial = check(['CC-BY-4.0', 'CC-BY-NC-4.0'], 'commercial');
    expect(commercial.compatible).toBe(false);
    expect(commercial.warnings).toEqual([]);
    expect(rules(commercial.conflicts)).toEqual(['non-commercial-in-commercial-use']);
    expect(commercial.conflicts[0].licenses).toEqual(['CC-BY-NC-4.0']);
    expect(commercial.conflicts[0].message).toBe(
      'CC-BY-NC-4.0 does not permit commercial use, and the intended use is commercial: a model trained on it for commercial use is the use the license withholds.',
    );
    const research = check(['CC-BY-4.0', 'CC-BY-NC-4.0'], 'research');
    expect(research.compatible).toBe(true);
    expect(research.conflicts).toEqual([]);
    expect(research.warnings).toEqual([]);
    expect(research.use).toBe('research');
  });

  it('defaults the intended use to the taxonomy setting (commercial)', () => {
    expect(taxonomy.settings.default_use).toBe('commercial');
    expect(rules(check(['CC-BY-NC-4.0']).conflicts)).toEqual(['non-commercial-in-commercial-use']);
  });

  it('GPL-2.0-only + GPL-3.0-only: conflict', () => {
    const report = check(['GPL-2.0-only', 'GPL-3.0-only']);
    expect(rules(report.conflicts)).toEqual(['incompatible-copylefts']);
    expect(report.conflicts[0].licenses).toEqual(['GPL-2.0-only', 'GPL-3.0-only']);
  });

  it('unknown + MIT: one warning about the unknown license', () => {
    const report = check(['unknown', 'MIT']);
    expect(report.compatible).toBe(true);
    expect(report.conflicts).toEqual([]);
    expect(rules(report.warnings)).toEqual(['unknown-license']);
    expect(report.warnings[0].licenses).toEqual(['NOASSERTION']);
    expect(report.warnings[0].expressions).toEqual(['NOASSERTION']);
  });
});

describe('-or-later versions', () => {
  it('GPL-2.0-or-later + GPL-3.0-only is fine: both can be used under GPL-3.0-only', () => {
    const report = check(['GPL-2.0-or-later', 'GPL-3.0-only']);
    expect(report.compatible).toBe(true);
    expect(report.conflicts).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.resolutions).toEqual([
      expect.objectContaining({
        rule: 'incompatible-copylefts',
        licenses: ['GPL-2.0-or-later', 'GPL-3.0-only'],
        target: 'GPL-3.0-only',
      }),
    ]);
  });

  it('GPL-2.0-or-later + GPL-2.0-only is fine too (version 2)', () => {
    const report = check(['GPL-2.0-or-later', 'GPL-2.0-only']);
    expect(report.conflicts).toEqual([]);
    expect(report.resolutions[0].target).toBe('GPL-2.0-only');
  });

  it('GPL-3.0-or-later + GPL-2.0-only conflicts: there is no version 2 to fall back to', () => {
    expect(rules(check(['GPL-3.0-or-later', 'GPL-2.0-only']).conflicts)).toEqual([
      'incompatible-copylefts',
    ]);
  });

  it('GPL-2.0-or-later escapes the Apache-2.0 / GPL-2.0 incompatibility through version 3', () => {
    expect(rules(check(['Apache-2.0', 'GPL-2.0-only']).conflicts)).toEqual([
      'apache-2.0-with-gpl-2.0',
    ]);
    expect(check(['Apache-2.0', 'GPL-2.0-or-later']).conflicts).toEqual([]);
    expect(check(['Apache-2.0', 'GPL-3.0-only']).conflicts).toEqual([]);
  });

  it('lists what a license may be used under, from data only', () => {
    expect(usableUnder(taxonomy, 'GPL-2.0-or-later')).toEqual([
      'GPL-2.0-or-later',
      'GPL-2.0-only',
      'GPL-3.0-only',
      'AGPL-3.0-only',
    ]);
    expect(usableUnder(taxonomy, 'GPL-2.0-only')).toEqual(['GPL-2.0-only']);
  });
});

describe('one-way compatibility', () => {
  it('CC-BY-SA-4.0 + GPL-3.0-only is allowed: BY-SA material may go into a GPLv3 work', () => {
    const report = check(['CC-BY-SA-4.0', 'GPL-3.0-only']);
    expect(report.compatible).toBe(true);
    expect(report.conflicts).toEqual([]);
    expect(report.resolutions).toHaveLength(1);
    expect(report.resolutions[0].target).toBe('GPL-3.0-only');
    expect(report.resolutions[0].message).toContain('CC-BY-SA-4.0 → GPL-3.0-only');
  });

  it('…but only one way', () => {
    expect(isUsableUnder(taxonomy, 'CC-BY-SA-4.0', 'GPL-3.0-only')).toBe(true);
    expect(isUsableUnder(taxonomy, 'GPL-3.0-only', 'CC-BY-SA-4.0')).toBe(false);
    expect(commonLicense(taxonomy, ['GPL-3.0-only', 'CC-BY-SA-4.0'])).toBe('GPL-3.0-only');
  });

  it('CC-BY-SA-4.0 + GPL-2.0-only conflicts (the compatibility is with GPLv3 only)', () => {
    expect(rules(check(['CC-BY-SA-4.0', 'GPL-2.0-only']).conflicts)).toEqual([
      'incompatible-copylefts',
    ]);
  });

  it('follows chains: LGPL-2.1-only reaches AGPL-3.0-only through GPL-3.0-only', () => {
    const report = check(['LGPL-2.1-only', 'AGPL-3.0-only']);
    expect(report.warnings).toEqual([]);
    expect(report.resolutions[0].target).toBe('AGPL-3.0-only');
  });

  it('two share-alike licenses without a common license conflict', () => {
    expect(rules(check(['CC-BY-SA-4.0', 'ODbL-1.0']).conflicts)).toEqual([
      'incompatible-copylefts',
    ]);
  });
});

describe('OR expressions', () => {
  it('picks the option that avoids the conflict and says why', () => {
    const report = check(['MIT OR GPL-3.0-only', 'LicenseRef-Proprietary']);
    expect(report.compatible).toBe(true);
    expect(report.conflicts).toEqual([]);
    expect(report.choices).toEqual([
      {
        expression: 'MIT OR GPL-3.0-only',
        picked: 'MIT',
        options: ['MIT', 'GPL-3.0-only'],
        reason: 'GPL-3.0-only would conflict (copyleft-with-proprietary)',
        rejected: [
          { option: 'GPL-3.0-only', conflicts: ['copyleft-with-proprietary'], warnings: [] },
        ],
      },
    ]);
    expect(report.items.find((i) => i.expression === 'MIT OR GPL-3.0-only')?.licenses).toEqual([
      'MIT',
    ]);
  });

  it('picks a later option when the first one conflicts', () => {
    const report = check(['GPL-2.0-only OR Apache-2.0', 'GPL-3.0-only']);
    expect(report.conflicts).toEqual([]);
    expect(report.choices[0].picked).toBe('Apache-2.0');
    expect(report.choices[0].rejected[0].conflicts).toEqual(['incompatible-copylefts']);
  });

  it('without conflicts, picks the option with fewer obligations', () => {
    const report = check(['Apache-2.0 OR MIT']);
    expect(report.choices[0].picked).toBe('MIT');
    expect(report.choices[0].reason).toBe('fewer obligations than Apache-2.0');
  });

  it('handles AND inside OR as one option', () => {
    const report = check(['(MIT AND CC-BY-NC-4.0) OR Apache-2.0'], 'commercial');
    expect(report.choices[0].picked).toBe('Apache-2.0');
    expect(report.warnings).toEqual([]);
  });

  it('reports conflicts that no option avoids', () => {
    const report = check(['GPL-2.0-only OR AGPL-3.0-only', 'LicenseRef-Proprietary']);
    expect(report.compatible).toBe(false);
    expect(rules(report.conflicts)).toEqual(['copyleft-with-proprietary']);
  });

  it('searches many OR choices jointly (greedy beyond the exhaustive limit)', () => {
    const expressions = Array.from({ length: 12 }, (_, i) => `LicenseRef-X${i} OR MIT OR ISC`);
    const report = check([...expressions, 'GPL-3.0-only']);
    // The unknown LicenseRef options only bring warnings; every choice avoids them.
    expect(report.warnings).toEqual([]);
    expect(report.choices).toHaveLength(12);
  });
});

describe('single-license rules', () => {
  it('no-derivatives content in training data is a warning', () => {
    const report = check(['CC-BY-ND-4.0'], 'research');
    expect(rules(report.warnings)).toEqual(['no-derivatives-in-training-data']);
    expect(report.warnings[0].message).toContain('no-derivatives content in training data');
  });

  it('model licenses warn about behavioural restrictions, thresholds and training other models', () => {
    expect(rules(check(['llama2'], 'commercial').warnings)).toEqual([
      'behavioural-use-restrictions',
      'no-training-other-models',
      'user-threshold-in-commercial-use',
    ]);
    expect(rules(check(['llama3.1'], 'research').warnings)).toEqual([
      'behavioural-use-restrictions',
    ]);
  });

  it('copyleft material with restricted material conflicts', () => {
    expect(rules(check(['GPL-3.0-only', 'openrail']).conflicts)).toEqual([
      'copyleft-forbids-further-restrictions',
    ]);
  });

  it('valid SPDX ids the taxonomy does not list are treated as unknown terms', () => {
    const report = check(['Beerware', 'MIT']);
    expect(rules(report.warnings)).toEqual(['unknown-license']);
    expect(report.warnings[0].message).toContain('Beerware');
    const beerware = report.licenses.find((l) => l.key === 'Beerware');
    expect(beerware?.classified).toBe(false);
    expect(beerware?.unknown).toBe(true);
  });
});

describe('exceptions', () => {
  it('WITH applies the exception overrides', () => {
    const term = parseExpression('GPL-2.0-only WITH Classpath-exception-2.0', taxonomy).licenses;
    expect(term).toEqual(['GPL-2.0-only']);
    const license = effectiveLicense(taxonomy, {
      id: 'GPL-2.0-only',
      exception: 'Classpath-exception-2.0',
    });
    expect(license.copyleft).toBe('weak');
    expect(license.key).toBe('GPL-2.0-only WITH Classpath-exception-2.0');
  });

  it('a Classpath-excepted GPL is no longer a strong-copyleft conflict with proprietary data', () => {
    const report = check(['GPL-2.0-only WITH Classpath-exception-2.0', 'LicenseRef-Proprietary']);
    expect(report.conflicts).toEqual([]);
    expect(rules(report.warnings)).toEqual(['weak-copyleft-with-proprietary']);
  });

  it('matchers can test the exception (Apache-2.0 WITH LLVM-exception is GPLv2-compatible)', () => {
    expect(check(['Apache-2.0 WITH LLVM-exception', 'GPL-2.0-only']).conflicts).toEqual([]);
  });
});

describe('inputs', () => {
  it('accepts parsed expressions and deduplicates equal ones', () => {
    const parsed = parseExpression('mit', taxonomy);
    const report = checkCompatibility(taxonomy, [parsed, 'MIT', 'MIT ']);
    expect(report.items).toHaveLength(1);
    expect(report.items[0]).toEqual({ expression: 'MIT', picked: 'MIT', licenses: ['MIT'] });
  });

  it('an empty set is compatible', () => {
    const report = check([]);
    expect(report.compatible).toBe(true);
    expect(report.licenses).toEqual([]);
  });
});
