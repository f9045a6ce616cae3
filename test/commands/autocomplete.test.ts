import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { origin, tempDir } from '../helpers/cli';

describe('shell completion (@oclif/plugin-autocomplete)', () => {
  let dir: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;
  let functions: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-complete-'));
    env = { XDG_CACHE_HOME: join(dir, 'cache'), HOME: dir };
    functions = join(dir, 'cache', 'origin', 'autocomplete', 'functions');
  });
  afterAll(() => cleanup());

  it('origin autocomplete bash builds the cache and prints the setup steps', () => {
    const r = origin(['autocomplete', 'bash'], { cwd: dir, env });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('printf "$(origin autocomplete script bash)" >> ~/.bashrc');
    for (const file of ['bash/origin.bash', 'zsh/_origin', 'powershell/origin.ps1'])
      expect(existsSync(join(functions, file))).toBe(true);
    const script = origin(['autocomplete', 'script', 'bash'], { cwd: dir, env });
    expect(script.status).toBe(0);
    expect(script.stdout).toContain(join(dir, 'cache', 'origin', 'autocomplete', 'bash_setup'));
  });

  /** What bash offers after the words typed so far (the last one is being completed). */
  const complete = (words: string[]): string[] => {
    const program = [
      `source ${JSON.stringify(join(functions, 'bash', 'origin.bash'))}`,
      `COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')})`,
      `COMP_CWORD=${words.length - 1}`,
      `COMP_LINE=${JSON.stringify(words.join(' '))}`,
      '_origin_autocomplete',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('; ');
    const r = spawnSync('bash', ['-c', program], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    return r.stdout.split('\n').filter(Boolean);
  };

  it('bash completes commands, topic commands and flags', () => {
    expect(complete(['origin', 'di'])).toEqual(['diff']);
    expect(complete(['origin', 'licenses', 'l'])).toEqual(['list']);
    expect(complete(['origin', 'conflicts', '--ba'])).toEqual(['--baseline']);
    expect(complete(['origin', 'diff', '--fail'])).toEqual(['--fail-on']);
  });

  it('the zsh function lists every command with its summary', () => {
    const zsh = readFileSync(join(functions, 'zsh', '_origin'), 'utf8');
    expect(zsh).toContain('"diff[Compare two sessions');
    expect(zsh).toContain('--baseline');
  });
});
