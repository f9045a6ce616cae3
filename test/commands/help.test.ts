import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { origin, tempDir } from '../helpers/cli';

describe('a CLI that helps', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir('origin-help-')));
  afterAll(() => cleanup());

  it('origin, --help, -h and help print one root page that starts with the three first steps', () => {
    const pages = [[], ['--help'], ['-h'], ['help']].map((argv) => origin(argv, { cwd: dir }));
    for (const p of pages) {
      expect(p.status).toBe(0);
      expect(p.stdout).toBe(pages[0].stdout);
    }
    const lines = pages[0].stdout.split('\n');
    expect(lines[0]).toBe('START HERE');
    expect(lines[1]).toBe('  1. $ origin init');
    expect(lines[3]).toMatch(/^ {2}2\. \$ cat data\.jsonl \| origin ingest --tee /);
    expect(lines[5]).toBe('  3. $ origin conflicts');
    expect(pages[0].stdout).toContain('USAGE');
    expect(pages[0].stdout).toMatch(/COMMANDS[\s\S]*ingest[\s\S]*verify-proof/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('origin help COMMAND and COMMAND -h show the command page', () => {
    const help = origin(['help', 'conflicts'], { cwd: dir });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('$ origin conflicts');
    expect(help.stdout).toContain('--fail-on');
    const short = origin(['conflicts', '-h'], { cwd: dir });
    expect(short.status).toBe(0);
    expect(short.stdout).toBe(help.stdout);
    const topic = origin(['help', 'licenses', 'list'], { cwd: dir });
    expect(topic.status).toBe(0);
    expect(topic.stdout).toContain('--family');
  });

  it('a mistyped command is exit 2 with a suggestion, and no database is created', () => {
    const r = origin(['inpsect', '800d01'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      '`inpsect` is not an origin command. Did you mean `origin inspect`?',
    );
    expect(r.stderr).toContain('Hint: run `origin help`');
    expect(existsSync(join(dir, 'origin.db'))).toBe(false);

    const sub = origin(['licenses', 'lst'], { cwd: dir });
    expect(sub.status).toBe(2);
    expect(sub.stderr).toContain('Did you mean `origin licenses list`?');
    expect(sub.stderr).toContain('the licenses commands: check, list, show');

    const help = origin(['help', 'verfy'], { cwd: dir });
    expect(help.status).toBe(2);
    expect(help.stderr).toContain(
      'there is no command `verfy` to show help for. Did you mean `origin verify`?',
    );

    const json = origin(['inpsect', '--json'], { cwd: dir });
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        message: expect.stringContaining('Did you mean `origin inspect`?'),
        hint: 'run `origin help` for the list of commands',
        exit_code: 2,
      },
    });

    const far = origin(['frobnicate'], { cwd: dir });
    expect(far.status).toBe(2);
    expect(far.stderr).toContain('`frobnicate` is not an origin command.');
    expect(far.stderr).not.toContain('Did you mean');
  });

  it('a mistyped flag is exit 2 with the flag it was probably meant to be', () => {
    const r = origin(['conflicts', '--sesion', 'abc123'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Nonexistent flag: --sesion');
    expect(r.stderr).toContain('Hint: did you mean --session? see `origin conflicts --help`');
    const far = origin(['status', '--frobnicate'], { cwd: dir });
    expect(far.status).toBe(2);
    expect(far.stderr).toContain('Hint: see `origin status --help`');
  });

  it('an invalid enumeration is exit 2 listing the valid values', () => {
    const family = origin(['licenses', 'list', '--family', 'bogus'], { cwd: dir });
    expect(family.status).toBe(2);
    expect(family.stdout).toBe('');
    expect(family.stderr).toContain('--family "bogus" is not a family of the license taxonomy.');
    expect(family.stderr).toMatch(
      /Hint: valid values: public-domain, permissive, copyleft, .*unknown/,
    );
    const near = origin(['licenses', 'list', '--domain', 'cod'], { cwd: dir });
    expect(near.status).toBe(2);
    expect(near.stderr).toContain('Did you mean code?');
    expect(near.stderr).toContain('valid values: code, content, data, model, any');
    const ok = origin(['licenses', 'list', '--family', 'copyleft', '--json'], { cwd: dir });
    expect(ok.status).toBe(0);
    const rows = JSON.parse(ok.stdout) as { family: string }[];
    expect(rows.length).toBeGreaterThan(5);
    expect(new Set(rows.map((r) => r.family))).toEqual(new Set(['copyleft']));
    // Enumerations oclif knows (options) say the same: exit 2 and the values.
    const use = origin(['conflicts', '--intended-use', 'profit'], { cwd: dir });
    expect(use.status).toBe(2);
    expect(use.stderr).toContain(
      'Expected --intended-use=profit to be one of: commercial, research',
    );
  });
});
