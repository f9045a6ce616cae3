import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, origin, tempDir } from '../helpers/cli';
import { openDb, sessionFingerprints } from '../helpers/reference';

const RUN = join(ROOT, 'bin', 'run.js');
const hasZstd = spawnSync('zstd', ['--version']).status === 0;

/** Runs a shell command line in `cwd`, with `origin` standing for the built CLI. */
function sh(cwd: string, script: string): { status: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(
    'bash',
    ['-c', `origin() { "${process.execPath}" "${RUN}" "$@"; }\n${script}`],
    {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ORIGIN_DB_PATH: join(cwd, 'origin.db') },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** sha256sum of every line of a file, computed by the shell (not by origin's code). */
function lineDigests(cwd: string, file: string): string[] {
  const out = execFileSync(
    'bash',
    [
      '-c',
      `while IFS= read -r line; do printf '%s' "$line" | sha256sum | cut -d' ' -f1; done < "${file}"`,
    ],
    { cwd },
  );
  return out.toString().trim().split('\n');
}

describe('origin ingest: pipes and compressed input', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-inputs-'));
    const lines = Array.from({ length: 400 }, (_, i) => `sample ${i} — ${'x'.repeat(i % 50)}`);
    writeFileSync(join(dir, 'lines.txt'), `${lines.join('\n')}\n`);
    execFileSync('bash', ['-c', 'gzip -k -c lines.txt > lines.txt.gz'], { cwd: dir });
    if (hasZstd)
      execFileSync('zstd', ['-q', '-f', 'lines.txt', '-o', 'lines.txt.zst'], { cwd: dir });
  });
  afterAll(() => cleanup());
  let digests: string[] | undefined;
  const expected = (): string[] => (digests ??= lineDigests(dir, 'lines.txt'));

  const fingerprintsOf = async (summary: { session_id: string }): Promise<string[]> => {
    const d = await openDb(join(dir, 'origin.db'));
    return sessionFingerprints(d, summary.session_id).map((b) => b.toString('hex'));
  };
  const ingestShell = (script: string): { session_id: string; records: number } => {
    const r = sh(dir, script);
    if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout.toString());
  };

  it('reads process substitution (/dev/fd/N) and named pipes like files', async () => {
    const viaFd = ingestShell('origin ingest --format text --json <(cat lines.txt)');
    expect(viaFd.records).toBe(400);
    expect(await fingerprintsOf(viaFd)).toEqual(expected());

    const viaFifo = ingestShell(
      'rm -f p.fifo; mkfifo p.fifo; (cat lines.txt > p.fifo &); origin ingest p.fifo --format text --json',
    );
    expect(await fingerprintsOf(viaFifo)).toEqual(expected());
  });

  it('decompresses gzip files, pipes and stdin by their magic bytes, whatever their name', async () => {
    const file = ingestShell('origin ingest lines.txt.gz --format text --json');
    expect(await fingerprintsOf(file)).toEqual(expected());
    const renamed = ingestShell(
      'cp lines.txt.gz renamed.txt && origin ingest renamed.txt --format text --json',
    );
    expect(await fingerprintsOf(renamed)).toEqual(expected());
    const stdin = ingestShell('origin ingest --format text --json < lines.txt.gz');
    expect(await fingerprintsOf(stdin)).toEqual(expected());
    // Two gzip members one after the other are one stream (as gzip -d reads them).
    const twice = ingestShell(
      'cat lines.txt.gz lines.txt.gz | origin ingest - --format text --json',
    );
    expect(await fingerprintsOf(twice)).toEqual([...expected(), ...expected()]);
  });

  (hasZstd ? it : it.skip)('decompresses zstd files and pipes', async () => {
    const file = ingestShell('origin ingest lines.txt.zst --format text --json');
    expect(await fingerprintsOf(file)).toEqual(expected());
    const fd = ingestShell('origin ingest <(cat lines.txt.zst) --format text --json');
    expect(await fingerprintsOf(fd)).toEqual(expected());
  });

  it('--tee passes the compressed bytes on unchanged', () => {
    const r = sh(dir, 'origin ingest --tee --format text -q < lines.txt.gz > out.gz');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'out.gz')).equals(readFileSync(join(dir, 'lines.txt.gz')))).toBe(
      true,
    );
    if (hasZstd) {
      const z = sh(dir, 'cat lines.txt.zst | origin ingest --tee --format text -q > out.zst');
      expect(z.status).toBe(0);
      expect(
        readFileSync(join(dir, 'out.zst')).equals(readFileSync(join(dir, 'lines.txt.zst'))),
      ).toBe(true);
    }
  });

  it('treats truncated or corrupt compressed input as bad input: exit 2, store unchanged', () => {
    const dbFile = join(dir, 'origin.db');
    expect(existsSync(dbFile)).toBe(true);
    const before = readFileSync(dbFile);
    const cases = [
      'head -c $(( $(stat -c%s lines.txt.gz) / 2 )) lines.txt.gz > cut.gz',
      'head -c 12 lines.txt.gz > cut.gz',
    ];
    for (const make of cases) {
      execFileSync('bash', ['-c', make], { cwd: dir });
      const r = origin(['ingest', 'cut.gz', '--format', 'text'], {
        cwd: dir,
        env: { ORIGIN_DB_PATH: dbFile },
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/cut\.gz:\d+: gzip data is truncated or corrupt/);
      expect(r.stderr).not.toMatch(/bug in origin/);
      expect(readFileSync(dbFile).equals(before)).toBe(true);
    }
    // Corrupt in the middle: the bytes after the header are damaged.
    const gz = readFileSync(join(dir, 'lines.txt.gz'));
    const damaged = Buffer.from(gz);
    for (let i = 40; i < 80; i++) damaged[i] ^= 0xff;
    writeFileSync(join(dir, 'bad.gz'), damaged);
    const bad = origin(['ingest', 'bad.gz', '--format', 'text'], {
      cwd: dir,
      env: { ORIGIN_DB_PATH: dbFile },
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.gz:\d+: gzip data is truncated or corrupt/);
    expect(readFileSync(dbFile).equals(before)).toBe(true);
    if (hasZstd) {
      execFileSync(
        'bash',
        ['-c', 'head -c $(( $(stat -c%s lines.txt.zst) / 2 )) lines.txt.zst > cut.zst'],
        { cwd: dir },
      );
      const z = sh(dir, 'cat cut.zst | origin ingest --format text');
      expect(z.status).toBe(2);
      expect(z.stderr).toMatch(/stdin:\d+: zstd data is truncated or corrupt/);
      expect(readFileSync(dbFile).equals(before)).toBe(true);
      // With --tee the bytes still flow through to the end.
      const t = sh(dir, 'origin ingest --tee --format text < cut.zst > tee.out');
      expect(t.status).toBe(2);
      expect(readFileSync(join(dir, 'tee.out')).equals(readFileSync(join(dir, 'cut.zst')))).toBe(
        true,
      );
    }
  });
});

describe('origin ingest: field paths and precomputed fingerprints', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir('origin-fields-')));
  afterAll(() => cleanup());
  const shaOf = (text: string): string =>
    execFileSync('sha256sum', { input: text }).toString().slice(0, 64);
  const chats = [
    {
      messages: [
        { role: 'user', content: 'What is 2+2?' },
        { role: 'assistant', content: '4' },
      ],
      id: 'a',
    },
    {
      messages: [
        { role: 'user', content: 'Grüße' },
        { role: 'assistant', content: 'Hallo' },
      ],
      id: 'b',
    },
  ];
  const jsonl = `${chats.map((c) => JSON.stringify(c)).join('\n')}\n`;
  const run = (args: string[], input: string) => {
    const r = origin(['ingest', ...args, '--json'], { cwd: dir, input });
    if (r.status !== 0) throw new Error(`ingest failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as { session_id: string; bytes: number };
  };
  const fps = async (id: string): Promise<string[]> =>
    sessionFingerprints(await openDb(join(dir, 'origin.db')), id).map((b) => b.toString('hex'));

  it('reaches chat messages by JSON Pointer and by dotted path alike', async () => {
    const pointer = run(['--content-field', '/messages/0/content'], jsonl);
    const dotted = run(['--content-field', 'messages.0.content'], jsonl);
    const expected = chats.map((c) => shaOf(c.messages[0].content));
    expect(await fps(pointer.session_id)).toEqual(expected);
    expect(await fps(dotted.session_id)).toEqual(expected);
  });

  it('fingerprints several fields as the JCS of an object of exactly those fields', async () => {
    const s = run(['--content-field', 'id', '--content-field', '/messages/1/content'], jsonl);
    expect(await fps(s.session_id)).toEqual(
      chats.map((c) =>
        shaOf(`{"/messages/1/content":${JSON.stringify(c.messages[1].content)},"id":"${c.id}"}`),
      ),
    );
    const twice = origin(['ingest', '--content-field', 'id', '--content-field', 'id'], {
      cwd: dir,
      input: jsonl,
    });
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain('--content-field id is given twice');
  });

  it('takes a precomputed --fingerprint-field, checks it and marks the session', async () => {
    const lines = ['one', 'two'].map((t) => JSON.stringify({ sha: shaOf(t), text: t })).join('\n');
    const s = run(['--fingerprint-field', 'sha'], lines);
    expect(await fps(s.session_id)).toEqual([shaOf('one'), shaOf('two')]);
    expect(s.bytes).toBe(0);
    const inspect = JSON.parse(origin(['inspect', s.session_id, '--json'], { cwd: dir }).stdout);
    expect(inspect.metadata).toEqual({ 'origin.precomputed_fingerprints': 'sha' });

    const dbFile = join(dir, 'origin.db');
    const before = readFileSync(dbFile);
    const bad = origin(['ingest', '--fingerprint-field', 'sha'], {
      cwd: dir,
      input: `${lines}\n{"sha":"not-a-digest"}\n`,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('stdin:3: fingerprint field "sha" is not 64 hex characters');
    expect(readFileSync(dbFile).equals(before)).toBe(true);
  });
});
