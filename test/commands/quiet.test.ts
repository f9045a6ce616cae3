import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_FIELDS, origin, tempDir } from '../helpers/cli';

// -q/--quiet: "Print nothing but errors and the requested data". The data a command was asked for
// prints as without -q; messages about what was done, and notes on stderr, do not.
describe('--quiet', () => {
  let dir: string;
  let cleanup: () => void;
  let session: string;
  let dataset: string;
  // A dataset of the session, at a fixed time: recording it again records nothing.
  const recordDataset = (): string[] => [
    ...['lineage', 'record', 'dataset', '--session', session],
    ...['--name', 'd', '--timestamp', '2024-05-01T10:00:00Z'],
  ];

  const run = (args: string[], input?: string): ReturnType<typeof origin> =>
    origin(args, { cwd: dir, input, env: { SOURCE_DATE_EPOCH: '0' } });

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-quiet-'));
    const records = [
      { text: 'a', source: 'wiki', license: 'MIT' },
      { text: 'b', source: 'news', license: 'CC-BY-NC-4.0' },
    ];
    const r = run(
      ['ingest', ...RECORD_FIELDS, '--json'],
      records.map((x) => JSON.stringify(x)).join('\n'),
    );
    session = JSON.parse(r.stdout).session_id;
    dataset = run(recordDataset()).stdout.trim();
    run(['prove', '--text', 'a', '--session', session, '-o', 'proof.json']);
  });
  afterAll(() => cleanup());

  const fingerprint = (): string =>
    (JSON.parse(readFileSync(join(dir, 'proof.json'), 'utf8')) as { fingerprint: string })
      .fingerprint;

  it.each([
    ['sessions', () => ['sessions'], 0],
    ['status', () => ['status'], 0],
    ['inspect', () => ['inspect', session], 0],
    ['trace', () => ['trace', fingerprint()], 0],
    ['query', () => ['query', 'MIT'], 0],
    ['query (nothing found)', () => ['query', 'GPL-3.0-only'], 2],
    ['licenses show', () => ['licenses', 'show', 'mit'], 0],
    ['licenses list', () => ['licenses', 'list', '--family', 'copyleft'], 0],
    ['licenses check', () => ['licenses', 'check', 'MIT', 'GPL-3.0-only'], 0],
    ['version', () => ['version'], 0],
    ['conflicts', () => ['conflicts', '--fail-on', 'warning'], 4],
    ['verify', () => ['verify'], 0],
    ['verify-proof', () => ['verify-proof', 'proof.json'], 0],
    ['lineage list', () => ['lineage', 'list'], 0],
    ['lineage trace', () => ['lineage', 'trace', dataset], 0],
    ['lineage verify', () => ['lineage', 'verify'], 0],
    ['prove to stdout', () => ['prove', '--text', 'a', '--session', session], 0],
    ['card to stdout', () => ['card', session], 0],
  ])('%s prints the same data with -q, and exits the same', (_name, args, status) => {
    const loud = run(args());
    const quiet = run([...args(), '-q']);
    expect(loud.status).toBe(status);
    expect(loud.stdout.length).toBeGreaterThan(0);
    expect(quiet.stdout).toBe(loud.stdout);
    expect(quiet.stderr).toBe('');
    expect(quiet.status).toBe(status);
    expect(run([...args(), '--quiet']).stdout).toBe(loud.stdout);
  });

  it('prints the data a command captures, id or hash, with -q', () => {
    const id = run(['session', 'start', '-q']).stdout;
    expect(id).toMatch(/^[0-9a-f]{32}\n$/);
    const hash = run(['lineage', 'record', 'dataset', '--name', 'q', '-q']).stdout;
    expect(hash).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('leaves out the notes on stderr: "already recorded"', () => {
    const args = recordDataset();
    const again = run(args);
    expect(again.stdout).toBe(`${dataset}\n`);
    expect(again.stderr).toBe(`already recorded: dataset ${dataset}\n`);
    const quiet = run([...args, '-q']);
    expect(quiet.stdout).toBe(`${dataset}\n`);
    expect(quiet.stderr).toBe('');
    const json = run([...args, '--json', '-q']);
    expect(JSON.parse(json.stdout)).toMatchObject({ hash: dataset, created: false });
    expect(json.stderr).toBe('');
  });

  it('leaves out the messages about what was done', () => {
    expect(run(['init', '-q'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(run(['init'])).toMatchObject({ status: 0, stderr: '' });
    expect(run(['init']).stdout).toMatch(/already exists/);

    const ingest = run(['ingest', '--source', 's', '-q'], '{"x":1}\n');
    expect(ingest).toMatchObject({ status: 0, stdout: '', stderr: '' });

    const card = run(['card', session, '-o', 'card.md', '-q']);
    expect(card).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(existsSync(join(dir, 'card.md'))).toBe(true);
    expect(run(['card', session, '-o', 'card.md']).stdout).toBe('Wrote card.md\n');

    const exported = run(['export', session, '--format', 'json', '-o', 'e.json', '-q']);
    expect(exported).toMatchObject({ status: 0, stdout: '', stderr: '' });

    const open = run(['session', 'start']).stdout.trim();
    expect(run(['session', 'end', open, '-q'])).toMatchObject({ status: 0, stdout: '' });
  });

  it('still reports warnings and errors', () => {
    const skipped = run(['ingest', '--skip-invalid', '-q'], '{"x":1}\nnot json\n');
    expect(skipped.status).toBe(0);
    expect(skipped.stdout).toBe('');
    expect(skipped.stderr).toMatch(/^Warning: skipped 1 invalid line/);
    const missing = run(['status', '--path', 'missing.db', '-q']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^Error: /);
  });

  it('changes nothing in --json output', () => {
    for (const args of [['status'], ['verify'], ['sessions'], ['conflicts']]) {
      const json = run([...args, '--json']);
      expect(run([...args, '--json', '-q']).stdout).toBe(json.stdout);
      // One document: oclif does not print the result a second time.
      expect(() => JSON.parse(json.stdout)).not.toThrow();
    }
  });
});
