import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, origin, tempDir } from '../helpers/cli';
import { openDb, referenceRoot, sessionFingerprints, sha256Hex } from '../helpers/reference';

// Inputs of several 1 MiB segments, parsed on the main thread (0 workers) and on 1 and 2 worker
// threads: the recorded session must be the same, and messages must name the same file:line.
describe('origin ingest on parser threads', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir('origin-parallel-')));
  afterAll(() => cleanup());

  const texts: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < 9000; i++) {
    const text = `${'lorem ipsum '.repeat(20 + (i % 17))}#${i % 8000}`;
    if (i % 2500 === 1777) {
      lines.push(`{"text": "broken ${i}"`);
      continue;
    }
    if (i % 3000 === 5) lines.push('');
    texts.push(text);
    const record = { text, source: `s${i % 3}`, license: i % 4 ? 'MIT' : undefined };
    lines.push(JSON.stringify(record) + (i % 2 ? '\r' : ''));
  }
  const input = lines.join('\n');
  const badLines = lines.flatMap((l, i) => (l.startsWith('{"text": "broken') ? [i + 1] : []));

  const run = (workers: string, args: string[], db: string) => {
    const r = origin(['ingest', ...args, '--path', db, '--json'], {
      cwd: dir,
      env: { ORIGIN_INGEST_WORKERS: workers },
    });
    return { ...r, json: r.status === 0 ? JSON.parse(r.stdout) : undefined };
  };

  it('records the same session whatever the number of parser threads', async () => {
    writeFileSync(join(dir, 'in.jsonl'), input);
    const args = ['in.jsonl', '--content-field', 'text', '--source-field', 'source'];
    const results = ['0', '1', '2'].map((w) =>
      run(w, [...args, '--license-field', 'license', '--skip-invalid'], `w${w}.db`),
    );
    for (const r of results) expect(r.status).toBe(0);
    const strip = (s: Record<string, unknown>) => {
      const rest = { ...s };
      const timings = [
        'elapsed_ms',
        'records_per_second',
        'mb_per_second',
        'lock_waited_ms_max',
        'commit_ms_max',
      ];
      // The head names the session's id and times, which differ between the three runs.
      for (const key of ['session_id', 'session_head', ...timings]) {
        delete rest[key];
      }
      return rest;
    };
    expect(strip(results[1].json)).toEqual(strip(results[0].json));
    expect(strip(results[2].json)).toEqual(strip(results[0].json));
    const summary = results[2].json;
    expect(summary.records).toBe(texts.length);
    expect(summary.skipped.first_lines.map((s: { line: number }) => s.line)).toEqual(badLines);
    expect(summary.session_root).toBe(
      referenceRoot(texts.map((t) => Buffer.from(sha256Hex(t), 'hex'))),
    );
    const fps = sessionFingerprints(await openDb(join(dir, 'w2.db')), summary.session_id);
    expect(fps.map((b) => b.toString('hex'))).toEqual(texts.map((t) => sha256Hex(t)));

    const failed = run('2', args, 'fail.db');
    expect(failed.status).toBe(2);
    expect(failed.stderr).toContain(`in.jsonl:${badLines[0]}: invalid JSON`);
  });

  it('passes the input through byte for byte with --tee', () => {
    const data = Buffer.from(input);
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'run.js'), 'ingest', '--tee', '--skip-invalid', '--path', 'tee.db'],
      {
        cwd: dir,
        input: data,
        env: { ...process.env, ORIGIN_INGEST_WORKERS: '2', NO_COLOR: '1' },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout.equals(data)).toBe(true);
  });
});
