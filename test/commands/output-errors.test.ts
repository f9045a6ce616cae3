import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, origin, tempDir } from '../helpers/cli';

// /dev/full fails every write with ENOSPC: a full disk on demand (Linux).
const describeFull = existsSync('/dev/full') ? describe : describe.skip;

describeFull('output that cannot be written', () => {
  let dir: string;
  let cleanup: () => void;
  let session: string;

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-output-'));
    const r = origin(['ingest', '--content-field', 'text', '--json'], {
      cwd: dir,
      input: '{"text":"a"}\n{"text":"b"}\n',
    });
    session = JSON.parse(r.stdout).session_id;
  });
  afterAll(() => cleanup());

  const toFullDisk = (args: string[]): { status: number | null; stderr: string } => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {
        cwd: dir,
        stdio: ['ignore', full, 'pipe'],
        env: { ...process.env, NO_COLOR: '1', ORIGIN_DB_PATH: join(dir, 'origin.db') },
      });
      return { status: r.status, stderr: r.stderr.toString() };
    } finally {
      closeSync(full);
    }
  };

  it.each([
    [['card', 'SESSION']],
    [['export', 'SESSION', '--format', 'jsonl']],
    [['sessions', '--json']],
    [['status']],
  ])('%j exits 1 with one clear message, no stack trace', (args) => {
    const r = toFullDisk(args.map((a) => (a === 'SESSION' ? session : a)));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'Error: cannot write the output: ENOSPC: no space left on device, write\n' +
        'Hint: make room on that device, or send the output somewhere else, and run the command again\n',
    );
  });
});
