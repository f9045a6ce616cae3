import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';

interface Note {
  reason: string;
  expires: string;
  defined_at: string;
}
interface Entry {
  rule: string;
  session_id: string;
  licenses: string[];
  sources: string[];
  waiver?: Note;
  expired_waiver?: Note;
  in_baseline?: boolean;
}
interface Report {
  conflicts: Entry[];
  warnings: Entry[];
  waived: Entry[];
  baseline: { file: string; new_conflicts: number; new_warnings: number } | null;
  failed: boolean;
}

const NC_RULE = 'non-commercial-in-commercial-use';

describe('conflicts: waivers, baselines, rules on sources and session metadata', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('origin-waivers-')));
  afterEach(() => cleanup());

  const ingest = (pairs: [string, string][], args: string[] = []): string => {
    const lines = pairs.map(([source, license], i) =>
      JSON.stringify({ text: `${source} ${license} ${i} ${args.join(' ')}`, source, license }),
    );
    const r = origin(['ingest', '--json', ...RECORD_FIELDS, ...args], {
      cwd: dir,
      input: lines.join('\n'),
    });
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout).session_id;
  };
  const conflicts = (args: string[] = []): { status: number; report: Report; stderr: string } => {
    const r = origin(['conflicts', '--json', ...args], { cwd: dir });
    return { status: r.status, report: JSON.parse(r.stdout || 'null') as Report, stderr: r.stderr };
  };
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const waiver = (fields: string): string => `waivers:\n  - rule: ${NC_RULE}\n${fields}`;

  it('a waiver in --waivers FILE accepts a finding for its sources, with its reason (exit 0)', () => {
    ingest([
      ['news-agency', 'CC-BY-NC-4.0'],
      ['news-wire', 'CC-BY-NC-4.0'],
    ]);
    expect(conflicts().status).toBe(4);
    const file = write(
      'waivers.yaml',
      waiver(
        '    license: cc-by-nc-4.0\n    source: "news-*"\n    reason: Commercial licence, contract 114\n    expires: 2099-12-31\n',
      ),
    );
    const r = conflicts(['--waivers', file]);
    expect(r.status).toBe(0);
    expect(r.report.conflicts).toEqual([]);
    expect(r.report.waived).toEqual([
      expect.objectContaining({
        rule: NC_RULE,
        waiver: {
          reason: 'Commercial licence, contract 114',
          expires: '2099-12-31',
          defined_at: `${file}:2`,
        },
      }),
    ]);
    const text = origin(['conflicts', '--waivers', file], { cwd: dir });
    expect(text.stdout).toContain('WAIVED   CC-BY-NC-4.0  [non-commercial-in-commercial-use]');
    expect(text.stdout).toContain(
      `waived until 2099-12-31: Commercial licence, contract 114 (${file}:2)`,
    );
    expect(text.stdout).toContain('0 conflict(s), 0 warning(s), 1 waived.');
  });

  it('a waiver covers a finding only when every source involved matches its glob', () => {
    ingest([
      ['news-agency', 'CC-BY-NC-4.0'],
      ['forum', 'CC-BY-NC-4.0'],
    ]);
    const file = write(
      'waivers.yaml',
      waiver('    source: news-agency\n    reason: bought\n    expires: 2099-12-31\n'),
    );
    const r = conflicts(['--waivers', file]);
    expect(r.status).toBe(4);
    expect(r.report.waived).toEqual([]);
    expect(r.report.conflicts[0].sources.sort()).toEqual(['forum', 'news-agency']);
  });

  it('an expired waiver stops waiving and says so; waivers in the overlay work the same', () => {
    ingest([['news-agency', 'CC-BY-NC-4.0']]);
    write(
      'origin.licenses.yaml',
      `version: 1\n${waiver('    source: news-agency\n    reason: Trial period\n    expires: 2020-01-31\n')}`,
    );
    const r = conflicts();
    expect(r.status).toBe(4);
    expect(r.report.conflicts[0].expired_waiver).toEqual({
      reason: 'Trial period',
      expires: '2020-01-31',
      defined_at: `${join(dir, 'origin.licenses.yaml')}:3`,
    });
    const text = origin(['conflicts'], { cwd: dir });
    expect(text.stdout).toContain('waiver expired on 2020-01-31');
    // The same waiver, in force, in the overlay.
    write(
      'origin.licenses.yaml',
      `version: 1\n${waiver('    source: news-agency\n    reason: Bought\n    expires: 2099-01-31\n')}`,
    );
    expect(conflicts().status).toBe(0);
  });

  it.each([
    [
      'an unknown rule, with the nearest rule id',
      `waivers:\n  - rule: non-comercial-in-commercial-use\n    license: MIT\n    reason: x\n    expires: 2099-01-01\n`,
      /line 2, column \d+: "non-comercial-in-commercial-use" is not a rule of the taxonomy\. Did you mean non-commercial-in-commercial-use\?/,
    ],
    [
      'a date that does not exist',
      waiver('    license: MIT\n    reason: x\n    expires: 2099-02-30\n'),
      /line 5, column \d+: "2099-02-30" is not a date/,
    ],
    ['no reason', waiver('    license: MIT\n    expires: 2099-01-01\n'), /needs "reason"/],
    [
      'neither license nor source',
      waiver('    reason: x\n    expires: 2099-01-01\n'),
      /line 2, column \d+: the waiver of "non-commercial-in-commercial-use" needs "license" or "source"/,
    ],
    [
      'an unknown license',
      waiver('    license: Not-A-License\n    reason: x\n    expires: 2099-01-01\n'),
      /line 3, column \d+: license "Not-A-License" is not in the taxonomy/,
    ],
    [
      'an unknown key',
      waiver('    licence: MIT\n    reason: x\n    expires: 2099-01-01\n'),
      /line 3, column \d+: unknown key "licence"/,
    ],
    ['no waivers list', 'rules: []\n', /a waivers file is a YAML mapping with a "waivers" list/],
  ])('a waivers file with %s is exit 2 with file and line', (_what, text, message) => {
    ingest([['news-agency', 'CC-BY-NC-4.0']]);
    const file = write('waivers.yaml', text);
    const before = readFileSync(join(dir, 'origin.db'));
    const r = origin(['conflicts', '--waivers', file], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(message);
    expect(readFileSync(join(dir, 'origin.db')).equals(before)).toBe(true);
  });

  it('--baseline: exit 4 only on findings the baseline does not have', () => {
    ingest([['news-agency', 'CC-BY-NC-4.0']]);
    const first = origin(['conflicts', '--json'], { cwd: dir });
    expect(first.status).toBe(4);
    const baseline = write('baseline.json', first.stdout);
    // A new session with the same finding: known, so exit 0.
    ingest([['news-agency', 'CC-BY-NC-4.0']], ['--source', 'x']);
    const known = conflicts(['--baseline', baseline]);
    expect(known.status).toBe(0);
    expect(known.report.conflicts.map((c) => c.in_baseline)).toEqual([true, true]);
    expect(known.report.baseline).toEqual({ file: baseline, new_conflicts: 0, new_warnings: 0 });
    // The same license from a new source is a new finding.
    const session = ingest([['forum', 'CC-BY-NC-4.0']]);
    const fresh = conflicts(['--baseline', baseline]);
    expect(fresh.status).toBe(4);
    expect(fresh.report.conflicts.filter((c) => !c.in_baseline)).toEqual([
      expect.objectContaining({ session_id: session, sources: ['forum'] }),
    ]);
    expect(fresh.report.baseline?.new_conflicts).toBe(1);
    const text = origin(['conflicts', '--baseline', baseline], { cwd: dir });
    expect(text.stdout).toContain('(in the baseline)');
    expect(text.stdout).toContain(
      `New since the baseline ${baseline}: 1 conflict(s), 0 warning(s).`,
    );
  });

  it('--baseline that is not a conflicts report is exit 2', () => {
    ingest([['news-agency', 'CC-BY-NC-4.0']]);
    const notJson = origin(['conflicts', '--baseline', write('b.json', '{oops')], { cwd: dir });
    expect(notJson.status).toBe(2);
    expect(notJson.stderr).toContain('is not JSON');
    const wrong = origin(['conflicts', '--baseline', write('c.json', '{"conflicts": [{}]}')], {
      cwd: dir,
    });
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('conflicts[0] lacks a rule, licenses or sources');
    const missing = origin(['conflicts', '--baseline', join(dir, 'none.json')], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('not found');
  });

  it('rules can match on source names (glob) and on session metadata', () => {
    write(
      'origin.licenses.yaml',
      [
        'version: 1',
        'rules:',
        '  - id: partner-data-in-public-models',
        '    severity: conflict',
        '    explanation: "{license} data from partners may not train public models."',
        '    when:',
        '      license: { id: MIT }',
        '      source: "partner-*"',
        '      session: { model: ["public-*", "demo"] }',
        '',
      ].join('\n'),
    );
    const start = (meta: string): string =>
      origin(['session', 'start', '--meta', meta, '-q'], { cwd: dir }).stdout.trim();
    const pub = start('model=public-chat');
    const internal = start('model=internal');
    for (const session of [pub, internal]) {
      ingest(
        [
          ['partner-code', 'MIT'],
          ['own-code', 'MIT'],
        ],
        ['--session', session],
      );
    }
    const r = conflicts();
    expect(r.report.conflicts).toEqual([
      expect.objectContaining({
        rule: 'partner-data-in-public-models',
        session_id: pub,
        sources: ['partner-code'],
      }),
    ]);
    expect(r.status).toBe(4);
    // A rule whose `when` is malformed is exit 2 with the line.
    write(
      'origin.licenses.yaml',
      'version: 1\nrules:\n  - id: r\n    severity: warning\n    explanation: x\n    when:\n      license: { id: MIT }\n      source: []\n',
    );
    const bad = origin(['conflicts'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/line 8, column \d+: expected a glob or a non-empty list of globs/);
  });
});
