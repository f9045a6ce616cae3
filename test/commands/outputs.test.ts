import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ROOT, origin, tempDir } from '../helpers/cli';
import { openDb, rows } from '../helpers/reference';

const RUN = join(ROOT, 'bin', 'run.js');

/** Runs the CLI with stdout sent to a file or device (not a pipe), as a shell redirection does. */
function originTo(
  stdoutPath: string,
  args: string[],
  cwd: string,
): { status: number; stderr: string } {
  const r = spawnSync('sh', ['-c', `"$0" "$@" > "${stdoutPath}"`, process.execPath, RUN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status ?? -1, stderr: r.stderr.toString() };
}

describe('outputs never damage anything', () => {
  let dir: string;
  let cleanup: () => void;
  let session: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('origin-outputs-'));
    const r = origin(['ingest', '--content-field', 'text', '--json'], {
      cwd: dir,
      input: '{"text":"one"}\n{"text":"two"}\n',
    });
    session = JSON.parse(r.stdout).session_id;
  });
  afterEach(() => cleanup());
  const db = (): string => join(dir, 'origin.db');

  it.each([
    ['the database', 'origin.db', 2, /would replace the database or its lock/],
    ['its lock', 'origin.db.lock', 2, /would replace the database or its lock/],
    ['a directory', '.', 2, /is a directory/],
  ])(
    'refuses -o %s with exit 2 and leaves the database as it was',
    (_what, target, code, message) => {
      const before = readFileSync(db());
      for (const args of [
        ['card', session, '-o', target],
        ['export', session, '--format', 'json', '-o', target],
        ['prove', '--text', 'one', '--session', session, '-o', target],
      ]) {
        const r = origin(args, { cwd: dir });
        expect([args.join(' '), r.status]).toEqual([args.join(' '), code]);
        expect(r.stderr).toMatch(message);
      }
      expect(readFileSync(db()).equals(before)).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(['origin.db']);
    },
  );

  it('refuses a symlink and leaves its target as it was', () => {
    writeFileSync(join(dir, 'real.md'), 'keep me');
    symlinkSync('real.md', join(dir, 'link.md'));
    const r = origin(['card', session, '-o', 'link.md'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is a symbolic link');
    expect(readFileSync(join(dir, 'real.md'), 'utf8')).toBe('keep me');
  });

  it('writes to a device or a FIFO directly', () => {
    expect(origin(['card', session, '-o', '/dev/null'], { cwd: dir }).status).toBe(0);
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const reader = spawnSync(
      'sh',
      [
        '-c',
        `cat pipe > received & "$0" "$1" export ${session} --format json -o pipe; wait`,
        process.execPath,
        RUN,
      ],
      { cwd: dir },
    );
    expect(reader.status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'received'), 'utf8')).session.session_id).toBe(
      session,
    );
  });

  it('says a missing directory is missing (exit 1) and replaces an existing file whole', () => {
    const missing = origin(['card', session, '-o', 'no/such/card.md'], { cwd: dir });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/the directory .*no\/such does not exist/);
    writeFileSync(join(dir, 'card.md'), 'old');
    expect(origin(['card', session, '-o', 'card.md'], { cwd: dir }).status).toBe(0);
    expect(readFileSync(join(dir, 'card.md'), 'utf8')).toContain(`# Provenance card`);
  });

  it('creates the directory of a new database (init --path a/b.db)', () => {
    const r = origin(['init', '--path', 'a/b/new.db'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'a', 'b', 'new.db'))).toBe(true);
  });

  it('refuses to write a read-only database, and still reads it', () => {
    chmodSync(db(), 0o444);
    const before = readFileSync(db());
    const r = origin(['ingest', '--format', 'text'], { cwd: dir, input: 'three\n' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('is read-only');
    expect(origin(['session', 'start'], { cwd: dir }).status).toBe(1);
    expect(readFileSync(db()).equals(before)).toBe(true);
    expect(origin(['verify'], { cwd: dir }).status).toBe(0);
  });

  it('keeps no session whose id could not be printed', async () => {
    const r = originTo('/dev/full', ['session', 'start'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ENOSPC');
    const d = await openDb(db());
    expect(rows(d, 'SELECT uid FROM sessions')).toHaveLength(1);
  });

  it('reports saved work whose summary cannot be printed as a warning, exit 0', async () => {
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'data.txt'), 'three\n');
    const r = originTo('/dev/full', ['ingest', 'in/data.txt', '--format', 'text'], dir);
    expect(r.stderr).toContain('the change was saved, but its summary could not be printed');
    expect(r.status).toBe(0);
    const d = await openDb(db());
    expect(rows(d, 'SELECT uid FROM sessions')).toHaveLength(2);
  });

  // A full disk needs a small file system: a tmpfs, which only root may mount.
  const mountable = ((): boolean => {
    if (process.getuid?.() !== 0) return false;
    return spawnSync('sh', ['-c', 'command -v mount && command -v umount']).status === 0;
  })();
  (mountable ? it : it.skip)(
    'says "cannot save the database" on a full disk and leaves it whole',
    () => {
      const small = join(dir, 'small');
      mkdirSync(small);
      if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small]).status !== 0)
        return;
      try {
        expect(origin(['init', '--path', 'small/s.db'], { cwd: dir }).status).toBe(0);
        const before = readFileSync(join(small, 's.db'));
        const lines = Array.from({ length: 8000 }, (_, i) => `line ${i}`).join('\n');
        const r = origin(['ingest', '--path', 'small/s.db', '--format', 'text'], {
          cwd: dir,
          input: `${lines}\n`,
        });
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(`cannot save the database ${join(small, 's.db')}`);
        expect(r.stderr).toContain('make room');
        expect(r.stderr).not.toContain('bug in origin');
        expect(readFileSync(join(small, 's.db')).equals(before)).toBe(true);
        expect(readdirSync(small)).toEqual(['s.db']);
      } finally {
        spawnSync('umount', [small]);
      }
    },
  );
});
