import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';

interface SourceChange {
  source: string;
  records: number;
  bytes: number;
  licenses: string[];
}
interface LicenseChange {
  license: string;
  records: number;
  bytes: number;
  sources: string[];
}
interface Diff {
  a: { session_id: string; records: number; distinct_samples: number; license: string };
  b: { session_id: string; records: number; distinct_samples: number; license: string };
  samples: { shared: number; only_a: number; only_b: number };
  sources: { added: SourceChange[]; removed: SourceChange[] };
  licenses: { added: LicenseChange[]; removed: LicenseChange[] };
  analysis: {
    intended_use: string;
    new_conflicts: { rule: string; licenses: string[]; sources: string[] }[];
    new_warnings: { rule: string }[];
    waived: { rule: string; waiver?: unknown }[];
  };
  fail_on: string;
  failed: boolean;
}

describe('origin diff', () => {
  let dir: string;
  let cleanup: () => void;
  let a: string;
  let b: string;
  const record = (text: string, source: string, license: string): string =>
    JSON.stringify({ text, source, license });

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-diff-'));
    const ingest = (lines: string[]): string => {
      const r = origin(['ingest', '--json', ...RECORD_FIELDS], {
        cwd: dir,
        input: lines.join('\n'),
      });
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout).session_id;
    };
    // A: wiki (CC-BY-4.0) w0-w3 (w0 twice), code c0-c1. B: wiki w2-w5, code c0-c1, news n0-n2 (CC-BY-NC-4.0).
    a = ingest([
      ...['w0', 'w0', 'w1', 'w2', 'w3'].map((t) => record(t, 'wiki', 'CC-BY-4.0')),
      ...['c0', 'c1'].map((t) => record(t, 'code', 'MIT')),
    ]);
    b = ingest([
      ...['w2', 'w3', 'w4', 'w5'].map((t) => record(t, 'wiki', 'CC-BY-4.0')),
      ...['c0', 'c1'].map((t) => record(t, 'code', 'MIT')),
      ...['n0', 'n1', 'n2'].map((t) => record(`${t}-longer`, 'news', 'CC-BY-NC-4.0')),
    ]);
  });
  afterAll(() => cleanup());

  const diff = (args: string[]): { status: number; diff: Diff; stderr: string } => {
    const r = origin(['diff', ...args, '--json'], { cwd: dir });
    return { status: r.status, diff: JSON.parse(r.stdout) as Diff, stderr: r.stderr };
  };

  it('counts the distinct samples shared and only on either side', () => {
    const r = diff([a.slice(0, 8), b.slice(0, 8)]);
    expect(r.status).toBe(0);
    expect(r.diff.a).toMatchObject({ session_id: a, records: 7, distinct_samples: 6 });
    expect(r.diff.b).toMatchObject({ session_id: b, records: 9, distinct_samples: 9 });
    // shared: w2 w3 c0 c1; only A: w0 w1; only B: w4 w5 n0 n1 n2.
    expect(r.diff.samples).toEqual({ shared: 4, only_a: 2, only_b: 5 });
  });

  it('lists the sources and licenses B adds, with records and bytes', () => {
    const r = diff([a, b]);
    expect(r.diff.sources).toEqual({
      added: [
        { source: 'news', records: 3, bytes: 'n0-longer'.length * 3, licenses: ['CC-BY-NC-4.0'] },
      ],
      removed: [],
    });
    expect(r.diff.licenses.added).toEqual([
      { license: 'CC-BY-NC-4.0', records: 3, bytes: 27, sources: ['news'] },
    ]);
    // Swapped, the additions are removals.
    const back = diff([b, a]);
    expect(back.diff.sources.removed.map((s) => s.source)).toEqual(['news']);
    expect(back.diff.licenses.removed.map((l) => l.license)).toEqual(['CC-BY-NC-4.0']);
    expect(back.diff.licenses.added).toEqual([]);
  });

  it('analyses what B adds: the conflicts it has and A has not', () => {
    const r = diff([a, b]);
    expect(r.diff.analysis.intended_use).toBe('commercial');
    expect(r.diff.analysis.new_conflicts).toEqual([
      expect.objectContaining({
        rule: 'non-commercial-in-commercial-use',
        licenses: ['CC-BY-NC-4.0'],
        sources: ['news'],
      }),
    ]);
    // A session compared with itself adds nothing.
    const same = diff([b, b]);
    expect(same.diff.samples).toEqual({ shared: 9, only_a: 0, only_b: 0 });
    expect(same.diff.analysis.new_conflicts).toEqual([]);
    expect(same.diff.licenses).toEqual({ added: [], removed: [] });
  });

  it('--fail-on new-conflict and new-license exit 4; research use has no new conflict', () => {
    expect(diff([a, b, '--fail-on', 'new-conflict'])).toMatchObject({
      status: 4,
      diff: { failed: true, fail_on: 'new-conflict' },
    });
    expect(diff([a, b, '--fail-on', 'new-conflict', '--intended-use', 'research']).status).toBe(0);
    expect(diff([a, b, '--fail-on', 'new-license', '--intended-use', 'research']).status).toBe(4);
    expect(diff([b, a, '--fail-on', 'new-license']).status).toBe(0);
    expect(diff([a, b]).status).toBe(0);
  });

  it('a waiver in force keeps a new conflict from failing, and is shown as waived', () => {
    const file = join(dir, 'waivers.yaml');
    writeFileSync(
      file,
      'waivers:\n  - rule: non-commercial-in-commercial-use\n    source: news\n    reason: Licence bought\n    expires: 2099-12-31\n',
    );
    const r = diff([a, b, '--fail-on', 'new-conflict', '--waivers', file]);
    expect(r.status).toBe(0);
    expect(r.diff.analysis.new_conflicts).toEqual([]);
    expect(r.diff.analysis.waived).toEqual([
      expect.objectContaining({
        rule: 'non-commercial-in-commercial-use',
        waiver: { reason: 'Licence bought', expires: '2099-12-31', defined_at: `${file}:2` },
      }),
    ]);
    const text = origin(['diff', a, b, '--waivers', file], { cwd: dir });
    expect(text.stdout).toContain('waived until 2099-12-31: Licence bought');
  });

  it('prints a summary for people', () => {
    const r = origin(['diff', a, b], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Samples: 4 shared, 2 only in A, 5 only in B.');
    expect(r.stdout).toMatch(/Licenses added in B:[\s\S]*CC-BY-NC-4\.0[\s\S]*news/);
    expect(r.stdout).toContain('CONFLICT CC-BY-NC-4.0  [non-commercial-in-commercial-use]');
  });

  it('refuses an unknown session and a bad --fail-on (exit 2), leaving the database as it was', () => {
    const before = readFileSync(join(dir, 'origin.db'));
    const unknown = origin(['diff', a, 'ffffffff'], { cwd: dir });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('ffffffff');
    const bad = origin(['diff', a, b, '--fail-on', 'bogus'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('new-license, new-conflict, none');
    expect(readFileSync(join(dir, 'origin.db')).equals(before)).toBe(true);
  });
});
