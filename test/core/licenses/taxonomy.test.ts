import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OriginError } from '../../../src/core/errors';
import {
  checkCompatibility,
  defaultTaxonomyPath,
  findLicense,
  getLicense,
  isLicenseRef,
  isSpdxLicenseId,
  loadTaxonomy,
  parseExpression,
} from '../../../src/core/licenses';
import { usageError } from '../../helpers/errors';

const taxonomyPath = defaultTaxonomyPath();
const taxonomyText = readFileSync(taxonomyPath, 'utf8');
const taxonomy = loadTaxonomy();

/** The 1-based line of the first line of `text` that contains `needle` after line `after`. */
function lineOf(text: string, needle: string, after = 0): number {
  const lines = text.split('\n');
  for (let i = after; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`"${needle}" not found`);
}

describe('licenses.yaml', () => {
  it('sits at the package root, where defaultTaxonomyPath() finds it', () => {
    expect(taxonomyPath).toBe(join(__dirname, '..', '..', '..', 'licenses.yaml'));
    expect(existsSync(taxonomyPath)).toBe(true);
  });

  it('loads at least 60 licenses and its rules', () => {
    expect(taxonomy.licenses.size).toBeGreaterThanOrEqual(60);
    expect(taxonomy.rules.length).toBeGreaterThanOrEqual(10);
    expect(taxonomy.files).toEqual([taxonomyPath]);
  });

  it('covers the code, content, data and model licenses the engine is expected to know', () => {
    const required = [
      'MIT',
      'Apache-2.0',
      'BSD-2-Clause',
      'BSD-3-Clause',
      'ISC',
      'MPL-2.0',
      'LGPL-2.1-only',
      'LGPL-2.1-or-later',
      'LGPL-3.0-only',
      'LGPL-3.0-or-later',
      'GPL-2.0-only',
      'GPL-2.0-or-later',
      'GPL-3.0-only',
      'GPL-3.0-or-later',
      'AGPL-3.0-only',
      'AGPL-3.0-or-later',
      'EPL-2.0',
      'Unlicense',
      '0BSD',
      'Zlib',
      'BSL-1.0',
      'CC0-1.0',
      ...['', '-SA', '-NC', '-ND', '-NC-SA', '-NC-ND'].flatMap((v) => [
        `CC-BY${v}-4.0`,
        `CC-BY${v}-3.0`,
      ]),
      'ODbL-1.0',
      'ODC-By-1.0',
      'PDDL-1.0',
      'CDLA-Permissive-1.0',
      'CDLA-Permissive-2.0',
      'CDLA-Sharing-1.0',
      'LicenseRef-OpenRAIL-M',
      'LicenseRef-CreativeML-OpenRAIL-M',
      'LicenseRef-BigScience-OpenRAIL-M',
      'LicenseRef-Llama-2',
      'LicenseRef-Llama-3',
      'LicenseRef-Gemma',
      'LicenseRef-Proprietary',
      'LicenseRef-Public-Domain',
      'NOASSERTION',
    ];
    const missing = required.filter((id) => !taxonomy.licenses.has(id));
    expect(missing).toEqual([]);
  });

  it('uses only SPDX ids, LicenseRef- ids and NOASSERTION/NONE as ids', () => {
    for (const id of taxonomy.licenses.keys()) {
      expect(isSpdxLicenseId(id) || isLicenseRef(id) || id === 'NOASSERTION' || id === 'NONE').toBe(
        true,
      );
    }
  });

  it('gives every license the documented properties', () => {
    for (const license of taxonomy.licenses.values()) {
      expect(license.name).not.toBe('');
      expect(typeof license.commercial_use).toBe('boolean');
      expect(['none', 'weak', 'strong', 'network']).toContain(license.copyleft);
      expect(taxonomy.families).toContain(license.family);
      expect(license.commercial_use).toBe(license.permissions.includes('commercial-use'));
      expect(license.no_derivatives).toBe(license.restrictions.includes('no-derivatives'));
      expect(license.defined_at).toMatch(/licenses\.yaml:\d+$/);
    }
  });

  it('lists the versions an -or-later license may be used under', () => {
    expect(getLicense(taxonomy, 'GPL-2.0-or-later').or_later).toEqual([
      'GPL-2.0-only',
      'GPL-3.0-only',
    ]);
    expect(getLicense(taxonomy, 'GPL-3.0-or-later').or_later).toEqual(['GPL-3.0-only']);
    expect(getLicense(taxonomy, 'GPL-3.0-only').or_later).toEqual([]);
  });

  it('finds licenses by id or alias in any case', () => {
    expect(findLicense(taxonomy, 'llama2')?.id).toBe('LicenseRef-Llama-2');
    expect(findLicense(taxonomy, 'CC-by-4.0')?.id).toBe('CC-BY-4.0');
    expect(findLicense(taxonomy, 'no-such-license')).toBeUndefined();
    usageError(() => getLicense(taxonomy, 'no-such-license'));
  });

  it('loads the same taxonomy from injected text (as a single-file bundle does)', () => {
    const injected = loadTaxonomy({ text: taxonomyText });
    expect(injected.licenses.size).toBe(taxonomy.licenses.size);
    expect(injected.rules.map((r) => r.id)).toEqual(taxonomy.rules.map((r) => r.id));
    expect(injected.files).toEqual(['licenses.yaml (embedded)']);
  });
});

describe('taxonomy errors name the file and line', () => {
  it('reports the line of a YAML syntax error', () => {
    const text = [
      'version: 1',
      'licenses:',
      '  - id: MIT',
      '    name: [unclosed, list',
      '    url: https://example.com',
    ].join('\n');
    const err = usageError(() => loadTaxonomy({ text, path: 'broken.yaml' }));
    expect(err.message).toMatch(/^broken\.yaml, line \d+, column \d+: invalid YAML/);
    const line = Number(/line (\d+)/.exec(err.message)?.[1]);
    expect(line).toBeGreaterThanOrEqual(4);
    expect(line).toBeLessThanOrEqual(5);
  });

  it('reports duplicate keys with their line', () => {
    const text = 'version: 1\nsettings:\n  unclassified: NOASSERTION\n  unclassified: MIT\n';
    const err = usageError(() => loadTaxonomy({ text, path: 'dup.yaml' }));
    expect(err.message).toContain('dup.yaml, line 4');
  });

  it('reports an invalid entry at the line of the offending field', () => {
    const start = lineOf(taxonomyText, '- id: BSD-2-Clause');
    const line = lineOf(taxonomyText, 'family: permissive', start);
    const lines = taxonomyText.split('\n');
    lines[line - 1] = lines[line - 1].replace('permissive', 'permisive');
    const dir = mkdtempSync(join(tmpdir(), 'origin-licenses-'));
    try {
      const file = join(dir, 'licenses.yaml');
      writeFileSync(file, lines.join('\n'));
      const err = usageError(() => loadTaxonomy({ path: file }));
      expect(err.message).toContain(`${file}, line ${line}`);
      expect(err.message).toContain('unknown family "permisive"');
      expect(err.message).toContain('licenses[');
      expect(err.hint).toContain('permissive');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown vocabulary word, a bad boolean and an unknown key, each at its line', () => {
    const cases: [string, string, RegExp][] = [
      [
        'conditions: [include-copyright, include-license]',
        'conditions: [include-copyright, atribution]',
        /unknown conditions word "atribution"/,
      ],
      [
        'commercial_use: true',
        'commercial_use: yes please',
        /"commercial_use" takes true or false/,
      ],
      [
        'share_alike: false',
        'share_alike: false\n    sharealike: false',
        /unknown key "sharealike"/,
      ],
    ];
    for (const [from, to, message] of cases) {
      const start = lineOf(taxonomyText, '- id: ISC');
      const line = lineOf(taxonomyText, from, start);
      const lines = taxonomyText.split('\n');
      lines[line - 1] = lines[line - 1].replace(from, to);
      const expectedLine = to.includes('\n') ? line + 1 : line;
      const err = usageError(() => loadTaxonomy({ text: lines.join('\n'), path: 'edited.yaml' }));
      expect(err.message).toMatch(message);
      expect(err.message).toContain(`edited.yaml, line ${expectedLine}`);
    }
  });

  it('rejects ids that are neither SPDX nor LicenseRef-, and suggests the LicenseRef- form', () => {
    const text = taxonomyText.replace('  - id: LicenseRef-Gemma\n', '  - id: Gemma\n');
    const err = usageError(() => loadTaxonomy({ text, path: 't.yaml' }));
    expect(err.message).toContain(`line ${lineOf(text, '  - id: Gemma')}`);
    expect(err.hint).toContain('LicenseRef-Gemma');
  });

  it('rejects a rule whose matcher names an unknown license field', () => {
    const text = taxonomyText.replace(
      'license: { no_derivatives: true }',
      'license: { no_derivative: true }',
    );
    const err = usageError(() => loadTaxonomy({ text, path: 't.yaml' }));
    expect(err.message).toContain('unknown matcher field "no_derivative"');
    expect(err.message).toContain(`line ${lineOf(text, 'no_derivative: true')}`);
  });

  it('rejects an alias claimed by two licenses', () => {
    const text = taxonomyText.replace('aliases: [Expat]', 'aliases: [Expat, llama2]');
    const err = usageError(() => loadTaxonomy({ text, path: 't.yaml' }));
    expect(err.message).toContain('"llama2" (LicenseRef-Llama-2) already names MIT');
    expect(err.message).toContain(`line ${lineOf(text, 'aliases: [llama2, llama-2]')}`);
  });

  it('rejects an or_later version that is not in the taxonomy', () => {
    const text = taxonomyText.replace(
      'or_later: [GPL-3.0-only]\n',
      'or_later: [GPL-3.0-only, GPL-4.0-only]\n',
    );
    const err = usageError(() => loadTaxonomy({ text, path: 't.yaml' }));
    expect(err.message).toContain('unknown license id "GPL-4.0-only" in or_later');
    expect(err.message).toContain(`line ${lineOf(text, 'GPL-4.0-only')}`);
  });

  it('rejects a file that is not a mapping, and a missing section', () => {
    expect(usageError(() => loadTaxonomy({ text: '- a\n- b\n' })).message).toContain(
      'must be a YAML mapping',
    );
    expect(usageError(() => loadTaxonomy({ text: 'version: 1\n' })).message).toContain(
      'missing top-level key "settings"',
    );
  });

  it('reports a missing file (usage error for an explicit path)', () => {
    const err = usageError(() => loadTaxonomy({ path: '/nonexistent/licenses.yaml' }));
    expect(err.message).toContain('/nonexistent/licenses.yaml');
    expect(err).toBeInstanceOf(OriginError);
  });
});

describe('project overlay', () => {
  const overlay = `
version: 1
vocabulary:
  restrictions: [no-ai-training]
licenses:
  - id: LicenseRef-Acme-Data
    name: Acme Data License
    url: https://acme.example/data-license
    domain: data
    family: proprietary
    aliases: [acme]
    permissions: [commercial-use, private-use]
    restrictions: [no-ai-training]
    conditions: [attribution]
    copyleft: none
    commercial_use: true
    attribution: true
    share_alike: false
    no_derivatives: false
  - id: MIT
    notes: Reviewed by legal.
rules:
  - id: no-ai-training
    severity: conflict
    explanation: "{license} forbids use as AI training data."
    hint: Ask Acme for a training license.
    when:
      license: { restrictions: no-ai-training }
  - id: behavioural-use-restrictions
    enabled: false
`;

  function withOverlay<T>(text: string, fn: (overlayPath: string) => T): T {
    const dir = mkdtempSync(join(tmpdir(), 'origin-overlay-'));
    try {
      const file = join(dir, 'origin-licenses.yaml');
      writeFileSync(file, text);
      return fn(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('adds a custom LicenseRef and a rule that the engine then applies', () => {
    withOverlay(overlay, (overlayPath) => {
      const merged = loadTaxonomy({ overlayPath });
      expect(merged.files).toEqual([taxonomyPath, overlayPath]);
      expect(merged.licenses.size).toBe(taxonomy.licenses.size + 1);
      const acme = getLicense(merged, 'acme');
      expect(acme.id).toBe('LicenseRef-Acme-Data');
      expect(acme.defined_at).toBe(
        `${overlayPath}:${lineOf(overlay, '- id: LicenseRef-Acme-Data')}`,
      );

      const report = checkCompatibility(merged, ['MIT', 'LicenseRef-Acme-Data']);
      expect(report.conflicts.map((f) => f.rule)).toEqual(['no-ai-training']);
      expect(report.conflicts[0].message).toBe(
        'LicenseRef-Acme-Data forbids use as AI training data.',
      );
      expect(report.conflicts[0].hint).toBe('Ask Acme for a training license.');

      // Without the overlay the id is a valid LicenseRef with unknown terms.
      const base = checkCompatibility(taxonomy, ['MIT', 'LicenseRef-Acme-Data']);
      expect(base.conflicts).toEqual([]);
      expect(base.warnings.map((f) => f.rule)).toEqual(['unknown-license']);
    });
  });

  it('merges an override field by field and switches a rule off', () => {
    withOverlay(overlay, (overlayPath) => {
      const merged = loadTaxonomy({ overlayPath });
      const mit = getLicense(merged, 'MIT');
      expect(mit.notes).toBe('Reviewed by legal.');
      expect(mit.conditions).toEqual(getLicense(taxonomy, 'MIT').conditions);
      expect(merged.rules.some((r) => r.id === 'behavioural-use-restrictions')).toBe(false);
      const llama = checkCompatibility(merged, ['llama3.1'], { use: 'research' });
      expect(llama.warnings).toEqual([]);
    });
  });

  it('accepts overlay text with a label, and names the overlay and line in its errors', () => {
    const bad = overlay.replace('domain: data', 'domain: dataset');
    const err = usageError(() =>
      loadTaxonomy({ overlayText: bad, overlayPath: 'project/licenses.yaml' }),
    );
    expect(err.message).toContain(`project/licenses.yaml, line ${lineOf(bad, 'domain: dataset')}`);
    expect(err.message).toContain('unknown domain "dataset"');
  });

  it('requires a new license in an overlay to be complete', () => {
    const partial = 'licenses:\n  - id: LicenseRef-Half\n    name: Half a license\n';
    const err = usageError(() => loadTaxonomy({ overlayText: partial, overlayPath: 'o.yaml' }));
    expect(err.message).toContain('o.yaml, line 2');
    expect(err.message).toContain('license "LicenseRef-Half" is missing "url"');
  });

  it('refuses an overlay for another schema version', () => {
    const err = usageError(() =>
      loadTaxonomy({ overlayText: 'version: 2\n', overlayPath: 'o.yaml' }),
    );
    expect(err.message).toContain('o.yaml, line 1');
  });

  it('lets an overlay add a pair rule between specific ids', () => {
    const pairRule = `
rules:
  - id: no-mit-with-isc
    severity: warning
    explanation: "{a} and {b} are both fine, but our policy keeps them apart."
    when:
      a: { id: MIT }
      b: { id: ISC }
`;
    const merged = loadTaxonomy({ overlayText: pairRule });
    const report = checkCompatibility(merged, ['ISC', 'MIT']);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0].licenses).toEqual(['MIT', 'ISC']);
    expect(report.warnings[0].message).toBe(
      'MIT and ISC are both fine, but our policy keeps them apart.',
    );
    expect(parseExpression('isc', merged).expression).toBe('ISC');
  });
});
