import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_FIELDS, CliResult, origin, tempDir } from '../helpers/cli';

interface Entry {
  rule: string;
  severity: string;
  licenses: string[];
  sources: string[];
  records: number;
  session_id: string;
  explanation: string;
}
interface Report {
  conflicts: Entry[];
  warnings: Entry[];
  failed: boolean;
  intended_use: string;
  sessions: { session_id: string; license: string; conditions: string[]; use_category: string }[];
  notes: { recorded: string; note: string }[];
}

describe('licenses on ingested data', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('origin-lic-')));
  afterEach(() => cleanup());

  /** One session holding `count` records per source/license pair; returns its id. */
  const ingestSession = (pairs: [string, string][], count = 3): string => {
    const lines: string[] = [];
    pairs.forEach(([source, license]) => {
      for (let i = 0; i < count; i++)
        lines.push(JSON.stringify({ text: `${source} sample ${i}`, source, license }));
    });
    const r = origin(['ingest', '--json', ...RECORD_FIELDS], {
      cwd: dir,
      input: lines.join('\n'),
    });
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout).session_id;
  };
  const conflicts = (args: string[]): CliResult & { report: Report } => {
    const r = origin(['conflicts', '--json', ...args], { cwd: dir });
    return { ...r, report: JSON.parse(r.stdout) };
  };

  it('MIT + Apache-2.0: compatible, conditions are the union', () => {
    const id = ingestSession([
      ['libs', 'MIT'],
      ['apache', 'Apache-2.0'],
    ]);
    const r = conflicts(['--session', id]);
    expect(r.status).toBe(0);
    expect(r.report.conflicts).toEqual([]);
    expect(r.report.warnings).toEqual([]);
    expect(r.report.sessions[0].license).toBe('Apache-2.0 AND MIT');
    expect(r.report.sessions[0].conditions).toEqual(
      expect.arrayContaining([
        'include-copyright',
        'include-license',
        'state-changes',
        'notice-file',
      ]),
    );
  });

  it('GPL-3.0-only + proprietary: a conflict naming sources and counts, exit 4', () => {
    const id = ingestSession(
      [
        ['gpl-code', 'GPL-3.0-only'],
        ['vendor', 'LicenseRef-Proprietary'],
      ],
      2,
    );
    const r = conflicts([]);
    expect(r.status).toBe(4);
    expect(r.report.failed).toBe(true);
    expect(r.report.conflicts).toHaveLength(1);
    expect(r.report.conflicts[0]).toMatchObject({
      session_id: id,
      rule: 'copyleft-with-proprietary',
      severity: 'conflict',
      licenses: ['GPL-3.0-only', 'LicenseRef-Proprietary'],
      records: 4,
    });
    expect(r.report.conflicts[0].sources.sort()).toEqual(['gpl-code', 'vendor']);
    const human = origin(['conflicts'], { cwd: dir });
    expect(human.status).toBe(4);
    expect(human.stdout).toContain(
      'CONFLICT GPL-3.0-only + LicenseRef-Proprietary  [copyleft-with-proprietary]',
    );
    expect(human.stdout).toContain('not legal advice');
  });

  it('CC-BY-NC-4.0 data: a conflict (exit 4) under the default commercial use, exit 0 for research', () => {
    ingestSession([
      ['photos', 'CC-BY-4.0'],
      ['news', 'CC-BY-NC-4.0'],
    ]);
    const r = conflicts([]);
    expect(r.status).toBe(4);
    expect(r.report.intended_use).toBe('commercial');
    expect(r.report.warnings).toEqual([]);
    expect(r.report.conflicts.map((c) => [c.rule, c.licenses])).toEqual([
      ['non-commercial-in-commercial-use', ['CC-BY-NC-4.0']],
    ]);
    expect(r.report.conflicts[0].sources).toEqual(['news']);
    expect(r.report.conflicts[0].explanation).toContain('does not permit commercial use');
    expect(conflicts(['--fail-on', 'none']).status).toBe(0);
    const research = conflicts(['--intended-use', 'research']);
    expect(research.status).toBe(0);
    expect(research.report.conflicts).toEqual([]);
    expect(research.report.warnings).toEqual([]);
    expect(conflicts(['--intended-use', 'research', '--fail-on', 'warning']).status).toBe(0);
  });

  it('GPL-2.0-only + GPL-3.0-only conflict; GPL-2.0-or-later + GPL-3.0-only do not', () => {
    const bad = ingestSession([
      ['a', 'GPL-2.0-only'],
      ['b', 'GPL-3.0-only'],
    ]);
    const good = ingestSession([
      ['c', 'GPL-2.0-or-later'],
      ['d', 'GPL-3.0-only'],
    ]);
    expect(conflicts(['--session', bad]).report.conflicts.map((c) => c.rule)).toEqual([
      'incompatible-copylefts',
    ]);
    expect(conflicts(['--session', bad]).status).toBe(4);
    const ok = conflicts(['--session', good]);
    expect(ok.status).toBe(0);
    expect(ok.report.conflicts).toEqual([]);
  });

  it('unknown + MIT: an unknown-license warning; a record with no license counts as unknown', () => {
    const lines = [
      JSON.stringify({ text: 'x', license: 'MIT' }),
      JSON.stringify({ text: 'y' }),
    ].join('\n');
    expect(
      origin(['ingest', '--content-field', 'text', '--license-field', 'license'], {
        cwd: dir,
        input: lines,
      }).status,
    ).toBe(0);
    const r = conflicts([]);
    expect(r.status).toBe(0);
    expect(r.report.warnings.map((w) => w.rule)).toEqual(['unknown-license']);
    expect(r.report.warnings[0].records).toBe(1);
  });

  it('CC-BY-SA-4.0 may flow into GPL-3.0 one way', () => {
    const id = ingestSession([
      ['wiki', 'CC-BY-SA-4.0'],
      ['code', 'GPL-3.0-only'],
    ]);
    const r = conflicts(['--session', id]);
    expect(r.report.conflicts).toEqual([]);
    const check = origin(['licenses', 'check', 'CC-BY-SA-4.0', 'GPL-3.0-only', '--json'], {
      cwd: dir,
    });
    expect(check.status).toBe(0);
    expect(JSON.parse(check.stdout).compatible).toBe(true);
  });

  it('reads a misspelt recorded license leniently and says so', () => {
    ingestSession([['x', 'Apache 2']]);
    const r = conflicts([]);
    expect(r.report.notes[0]).toMatchObject({
      recorded: 'Apache 2',
      note: expect.stringContaining('read as Apache-2.0'),
    });
  });

  it('applies a project overlay beside the database, and reports a malformed one by line', () => {
    ingestSession([['partner', 'LicenseRef-Partner-Data']]);
    writeFileSync(
      join(dir, 'origin.licenses.yaml'),
      [
        'version: 1',
        'licenses:',
        '  - id: LicenseRef-Partner-Data',
        '    name: Partner data agreement',
        '    url: null',
        '    domain: data',
        '    family: proprietary',
        '    permissions: []',
        '    conditions: []',
        '    copyleft: none',
        '    commercial_use: false',
        '    attribution: false',
        '    share_alike: false',
        '    no_derivatives: false',
        'rules:',
        '  - id: partner-data-needs-review',
        '    severity: warning',
        '    explanation: "{license} data needs sign-off from the partnerships team."',
        '    when:',
        '      license: { id: LicenseRef-Partner-Data }',
        '',
      ].join('\n'),
    );
    const r = conflicts([]);
    expect(r.report.warnings.map((w) => w.rule)).toContain('partner-data-needs-review');
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nrules:\n  - id: x\n    severity: fatal\n');
    const bad = origin(['conflicts', '--licenses', 'bad.yaml'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml, line 4/);
    writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nrules: [\n');
    const broken = origin(['conflicts', '--licenses', 'broken.yaml'], { cwd: dir });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/broken\.yaml, line \d+.*invalid YAML/);
  });

  it('query reports samples, sources and sessions under a license, and exits 2 when there are none', () => {
    const id = ingestSession(
      [
        ['photos', 'CC-BY-4.0'],
        ['news', 'CC-BY-NC-4.0'],
        ['dual', 'MIT OR CC-BY-4.0'],
      ],
      2,
    );
    const r = origin(['query', 'cc-by-4.0', '--json'], { cwd: dir });
    expect(r.status).toBe(0);
    const q = JSON.parse(r.stdout);
    expect(q).toMatchObject({ licenses: ['CC-BY-4.0'], records: 4, samples: 4 });
    expect(q.sessions).toEqual([{ session_id: id, records: 4, bytes: expect.any(Number) }]);
    expect(q.sources.map((s: { source: string }) => s.source).sort()).toEqual(['dual', 'photos']);
    const none = origin(['query', 'GPL-3.0-only', '--json'], { cwd: dir });
    expect(none.status).toBe(2);
    expect(JSON.parse(none.stdout).records).toBe(0);
    expect(origin(['query', 'GPL-3.0-only'], { cwd: dir }).status).toBe(2);
  });

  it('refuses an invalid --license at ingest with a suggestion, and explains licenses', () => {
    const r = origin(['ingest', '--license', 'Apache 2'], { cwd: dir, input: '{}\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Did you mean "Apache-2.0"?');
    const show = origin(['licenses', 'show', 'gpl-3.0', '--json'], { cwd: dir });
    expect(JSON.parse(show.stdout)).toMatchObject({ id: 'GPL-3.0-only', copyleft: 'strong' });
    const list = JSON.parse(origin(['licenses', 'list', '--json'], { cwd: dir }).stdout);
    expect(list.length).toBeGreaterThanOrEqual(60);
  });
});
