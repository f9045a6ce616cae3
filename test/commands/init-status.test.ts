import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { origin, tempDir } from '../helpers/cli';
import { SCHEMA_VERSION } from '../../src/core/store/schema';

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('origin init / status / version', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('creates a database with zero counts and reports it as JSON', () => {
    const init = origin(['init'], { cwd: dir });
    expect(init.status).toBe(0);
    expect(init.stdout).toContain('Created Origin database');
    expect(existsSync(join(dir, 'origin.db'))).toBe(true);

    const status = origin(['status', '--json'], { cwd: dir });
    expect(status.status).toBe(0);
    const doc = JSON.parse(status.stdout);
    expect(doc.path).toBe(join(dir, 'origin.db'));
    expect(doc.schema_version).toBe(SCHEMA_VERSION);
    expect(doc.file_bytes).toBeGreaterThan(0);
    expect(doc.counts).toEqual({
      sessions: 0,
      sources: 0,
      licenses: 0,
      samples: 0,
      observations: 0,
      batches: 0,
      events: 0,
    });
  });

  it('leaves an existing database unchanged on a second init', () => {
    origin(['init'], { cwd: dir });
    const before = sha(join(dir, 'origin.db'));
    const again = origin(['init', '--json'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout).created).toBe(false);
    expect(sha(join(dir, 'origin.db'))).toBe(before);
  });

  it('honours ORIGIN_DB_PATH, and --path / --db over it', () => {
    expect(origin(['init'], { cwd: dir, env: { ORIGIN_DB_PATH: 'env.db' } }).status).toBe(0);
    expect(existsSync(join(dir, 'env.db'))).toBe(true);
    expect(existsSync(join(dir, 'origin.db'))).toBe(false);

    expect(
      origin(['init', '--path', 'flag.db'], { cwd: dir, env: { ORIGIN_DB_PATH: 'env.db' } }).status,
    ).toBe(0);
    expect(existsSync(join(dir, 'flag.db'))).toBe(true);

    const viaAlias = origin(['status', '--db', 'flag.db', '--json'], { cwd: dir });
    expect(JSON.parse(viaAlias.stdout).path).toBe(join(dir, 'flag.db'));
    const viaEnv = origin(['status', '--json'], { cwd: dir, env: { ORIGIN_DB_PATH: 'env.db' } });
    expect(JSON.parse(viaEnv.stdout).path).toBe(join(dir, 'env.db'));
  });

  it('says how to create a database when there is none', () => {
    const r = origin(['status'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no Origin database at .*origin\.db/);
    expect(r.stderr).toContain('origin init');
    expect(existsSync(join(dir, 'origin.db'))).toBe(false);
  });

  describe('refuses files that are not healthy Origin databases, leaving them untouched', () => {
    const cases: [string, (path: string, dir: string) => Promise<void>, RegExp][] = [
      [
        'a random file',
        async (p) => writeFileSync(p, randomBytes(5000)),
        /not an Origin database \(not an SQLite file\)/,
      ],
      ['an empty file', async (p) => writeFileSync(p, ''), /is empty/],
      [
        'a foreign SQLite database',
        async (p) => {
          const SQL = await initSqlJs();
          const db = new SQL.Database();
          db.run('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (1)');
          writeFileSync(p, db.export());
        },
        /SQLite database but not an Origin database/,
      ],
      [
        'a truncated Origin database',
        async (p, d) => {
          origin(['init', '--path', 'full.db'], { cwd: d });
          const full = readFileSync(join(d, 'full.db'));
          writeFileSync(p, full.subarray(0, Math.floor(full.length / 2)));
        },
        /truncated/,
      ],
      [
        'an Origin database with a newer schema',
        async (p, d) => {
          origin(['init', '--path', 'full.db'], { cwd: d });
          const bytes = Buffer.from(readFileSync(join(d, 'full.db')));
          bytes.writeUInt32BE(99, 60); // user_version
          writeFileSync(p, bytes);
        },
        /schema version 99, newer than this origin understands/,
      ],
    ];

    it.each(cases)('%s', async (_name, make, message) => {
      const path = join(dir, 'target.db');
      await make(path, dir);
      const before = sha(path);
      for (const args of [['status'], ['init'], ['status', '--json']]) {
        const r = origin([...args, '--path', 'target.db'], { cwd: dir });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toContain('Hint:');
        expect(sha(path)).toBe(before);
      }
      const json = origin(['status', '--json', '--path', 'target.db'], { cwd: dir });
      expect(JSON.parse(json.stdout).error.exit_code).toBe(1);
    });
  });

  it('says there is no database in a missing directory, and init creates the directory', () => {
    const r = origin(['status', '--path', 'missing-dir/o.db'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`no Origin database at ${join(dir, 'missing-dir', 'o.db')}`);
    expect(origin(['init', '--path', 'missing-dir/o.db'], { cwd: dir }).status).toBe(0);
    expect(origin(['status', '--path', 'missing-dir/o.db'], { cwd: dir }).status).toBe(0);
  });

  it('maps bad flags and unknown commands to exit 2', () => {
    const bad = origin(['status', '--bogus'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--bogus');
    expect(origin(['statsu'], { cwd: dir }).status).toBe(2);
  });

  it('prints the version both ways', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    expect(origin(['--version'], { cwd: dir }).stdout).toContain(pkg.version);
    const v = JSON.parse(origin(['version', '--json'], { cwd: dir }).stdout);
    expect(v).toMatchObject({ version: pkg.version, schema_version: SCHEMA_VERSION });
  });
});
