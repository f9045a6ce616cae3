// Every `origin` command shown in README.md runs, so the README cannot rot: the fenced sh and
// console blocks (the command reference's examples included) are read in order, the ids, hashes
// and paths they use as placeholders are replaced by real ones from fixtures made here, and each
// command runs in one bash session (so `SESSION=$(origin …)` carries on to the next lines) against
// a real database in a temp directory. Each must exit 0, unless EXPECTED_EXIT says it shows a
// failing check (3) or a policy reached (4). Lines that run no origin command (npm scripts, the
// binary's smoke test) are run by CI itself and skipped here.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers/cli';

/** Commands that show a non-zero exit on purpose, with the code they must exit with. */
const EXPECTED_EXIT: readonly [RegExp, number, string][] = [
  // The fixtures hold CC-BY-NC-4.0 data (session 7b2e4d) under the default commercial use.
  [/^origin conflicts( --json > \S+)?\s*(#.*)?$/, 4, 'every session: the NC data conflicts'],
  [/^origin conflicts --fail-on warning --json/, 4, 'as above'],
  [/^origin diff .* --fail-on new-conflict/, 4, '7b2e4d adds the NC data'],
  [/^origin lineage verify --path tampered\.db/, 3, 'the tampered copy fails, as the README shows'],
  [/^origin licenses check GPL-2\.0-only GPL-3\.0-only/, 4, 'the README asks "why not"'],
];

interface Example {
  /** The line in README.md where the command starts. */
  line: number;
  command: string;
}

/** The origin commands of README.md's fenced sh/console blocks, continuation lines joined. */
function readmeExamples(text: string): Example[] {
  const examples: Example[] = [];
  const lines = text.split('\n');
  let fence: 'sh' | 'console' | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (fence === undefined) {
      const open = /^```(sh|bash|console)$/.exec(trimmed);
      if (open) fence = open[1] === 'console' ? 'console' : 'sh';
      continue;
    }
    if (trimmed === '```') {
      fence = undefined;
      continue;
    }
    let command: string;
    if (fence === 'console') {
      if (!trimmed.startsWith('$ ')) continue; // output, not a command
      command = trimmed.slice(2);
    } else {
      command = trimmed.replace(/^\$ /, '');
    }
    const start = i + 1;
    while (command.endsWith('\\') && i + 1 < lines.length) {
      i++;
      command = `${command.slice(0, -1).trimEnd()} ${lines[i].trim()}`;
    }
    if (command === '' || command.startsWith('#')) continue;
    if (!/(^|[|;&(]\s*|=\$\()origin\b|^[A-Z_]+=\S+ origin\b/.test(command)) continue;
    examples.push({ line: start, command });
  }
  return examples;
}

describe('README examples', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir('origin-readme-')));
  afterAll(() => cleanup());

  it('reads the examples of README.md', () => {
    const examples = readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    // Guards the reader itself: it must find the blocks of every section.
    expect(examples.length).toBeGreaterThan(100);
    expect(examples.map((e) => e.command)).toEqual(
      expect.arrayContaining([
        'origin init',
        'origin diff 3f9a1c 7b2e4d',
        "SESSION=$(origin sessions --json | jq -r '.[0].session_id')",
      ]),
    );
  });

  // One bash session runs every example (about 130 CLI runs): minutes on a loaded machine.
  it('every origin command in README.md runs', () => {
    const examples = readmeExamples(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    const sample = (text: string): string =>
      JSON.stringify({ text, source: 'wiki', license: 'CC-BY-4.0' });
    const write = (name: string, text: string): void => writeFileSync(join(dir, name), text);
    // Fixtures: the files the examples name.
    symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));
    write(
      'corpus.jsonl',
      [
        ...[
          'test',
          'hello world',
          'Merkle trees let one hash commit to a whole list of items.',
        ].map(sample),
        JSON.stringify({ text: 'int f(void);', source: 'code', license: 'GPL-3.0-only' }),
      ].join('\n') + '\n',
    );
    write(
      'data.jsonl',
      `${JSON.stringify({ text: 'a data sample', source: 'web', license: 'MIT' })}\n`,
    );
    write('wiki.jsonl', `${sample('a wiki page')}\n`);
    write(
      'code.jsonl',
      `${JSON.stringify({ text: 'int main() {}', repo: 'gcc', license: 'GPL-3.0-or-later' })}\n`,
    );
    write('notes.txt', 'a note\nanother note\n');
    write(
      'reviews.jsonl',
      ['great product', 'bad fit', 'fine'].map((t) => JSON.stringify({ text: t })).join('\n'),
    );
    write('train.yaml', 'lr: 3e-5\nepochs: 3\n');
    write(
      'events.jsonl',
      `${JSON.stringify({ type: 'dataset', payload: { name: 'extra', version: '1' }, timestamp: '2024-05-01T09:00:00Z' })}\n`,
    );
    write(
      'waivers.yaml',
      'waivers:\n  - rule: non-commercial-in-commercial-use\n    source: news-agency\n    reason: Licence bought\n    expires: 2099-12-31\n',
    );
    write(
      'tamper.js',
      [
        "const fs = require('node:fs');",
        `const initSqlJs = require(${JSON.stringify(join(ROOT, 'node_modules/sql.js'))});`,
        'initSqlJs().then((SQL) => {',
        "  const db = new SQL.Database(fs.readFileSync('origin.db'));",
        `  db.run("UPDATE events SET payload = replace(payload, '0.913', '0.99') WHERE type = 'evaluation'");`,
        "  fs.writeFileSync('tampered.db', Buffer.from(db.export()));",
        '});',
      ].join('\n'),
    );
    mkdirSync(join(dir, 'home'));
    // Inputs of the ingest examples: compressed shards, a directory of chat data, files, a tar.
    write('shard-0001.jsonl', `${sample('a zstd shard line')}\n`);
    write('shard-0002.jsonl', `${sample('a gzip shard line')}\n`);
    execFileSync('zstd', ['-q', '-f', '--rm', 'shard-0001.jsonl'], { cwd: dir });
    execFileSync('gzip', ['-f', 'shard-0002.jsonl'], { cwd: dir });
    mkdirSync(join(dir, 'data', 'chat'), { recursive: true });
    write(
      'data/chat/part-0.jsonl',
      `${JSON.stringify({ messages: [{ role: 'user', content: 'hello' }] })}\n`,
    );
    mkdirSync(join(dir, 'images'));
    write('images/cat.png', 'not really a png');
    write('member.txt', 'a tar member');
    execFileSync('tar', ['-cf', 'shard-000.tar', 'member.txt'], { cwd: dir });

    // Session 3f9a1c: completed (a dataset event names it), holding the samples the examples
    // trace and prove ("test" is 9f86d081…, the Merkle sentence 1df55dcd…).
    // Session 7b2e4d: what a new training set adds (news under CC-BY-NC-4.0).
    const fingerprint = (t: string): string => createHash('sha256').update(t).digest('hex');
    expect(fingerprint('test').startsWith('9f86d081884c7d65')).toBe(true);
    expect(
      fingerprint('Merkle trees let one hash commit to a whole list of items.').startsWith(
        '1df55dcd',
      ),
    ).toBe(true);
    const setup = [
      'origin init -q',
      'A=$(origin session start -q)',
      'origin ingest corpus.jsonl --session $A --content-field text --source-field source --license-field license -q',
      'origin session end $A -q',
      'B=$(origin session start -q)',
      'origin ingest corpus.jsonl examples/news.jsonl --session $B --content-field text --source news-agency --license CC-BY-NC-4.0 -q',
      'origin session end $B -q',
      'origin init --path run.db -q',
      // A session of whole records (no --content-field), for `trace --record`.
      'printf \'{"id":7,"text":"hello"}\\n\' | origin ingest --source web --license MIT -q',
    ];
    // Placeholders of the README and what stands for them here (shell, evaluated when the line runs).
    const root = '$(origin inspect $A --json | jq -r .session_root)';
    const event = '$(origin lineage list --json | jq -r ".[0].hash")';
    const prediction = '$(origin lineage list --type prediction --json | jq -r ".[-1].hash")';
    // Appending and ending need an open session: a new one each time.
    const openSession = '$(origin session start -q)';
    const head = '$(origin inspect $A --json | jq -r .session_head)';
    const storeRoot = '$(origin status --json | jq -r .store_head.root)';
    const storeSize = '$(origin status --json | jq -r .store_head.tree_size)';
    const placeholders: [RegExp, string][] = [
      [/^(origin (ingest|session end) .*)3f9a1c/, `$1${openSession}`],
      [/59f7e1e77c89361b19e7252dd73bd53541dcb81ce9c1a805399538a72850d25d|59f7e1e7…/g, head],
      [
        /b74c679ca8722448298edee7db12f4f2407df16b2dc54786df1a41e040538404|b74c679c…|4a1f0c2d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c/g,
        storeRoot,
      ],
      [/--store-size 2/g, `--store-size ${storeSize}`],
      // Session 3f9a1c has four observations here.
      [/--from-size 1000/g, '--from-size 2'],
      [/3f9a1c/g, '$A'],
      [/7b2e4d/g, '$B'],
      [/9a71c9bf…/g, root],
      [/9b4e0c1d5f2a7e8b3c6d9f0a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d/g, root],
      [/5d41402a/g, event],
      // The lineage walk-through's prediction (its hash depends on the session it was made from).
      [/(lineage (trace|verify)) 4a97f0dd/g, `$1 ${prediction}`],
      [/\/var\/lib\/origin\.db/g, '$PWD/var-lib/origin.db'],
      // bash cannot source zsh's setup (compinit); the origin part of the line still runs.
      [/; source ~\/\.zshrc/, ''],
    ];
    const script = [
      'set +e',
      `origin() { node ${JSON.stringify(join(ROOT, 'bin', 'run.js'))} "$@"; }`,
      'python() { cat > /dev/null; }',
      'export HOME="$PWD/home" XDG_CACHE_HOME="$PWD/cache"',
      'unset ORIGIN_DB_PATH',
      ...setup.map(
        (s) => `${s} || { echo "setup failed: ${s.replace(/"/g, '\\"')}" >&2; exit 99; }`,
      ),
      'run_example() { local n=$1; local cmd; cmd=$(cat); eval "$cmd" > "out/$n.stdout" 2> "out/$n.stderr" < /dev/null; echo "$n $?" >> out/statuses; }',
      'mkdir -p out',
    ];
    examples.forEach((example, n) => {
      let command = example.command;
      for (const [from, to] of placeholders) command = command.replace(from, to);
      if (/--path tampered\.db/.test(command)) script.push('node tamper.js');
      // Only this line reads stdin (`--from-json -` through a pipe): the rest get /dev/null.
      script.push(`run_example ${n} <<'__ORIGIN_EXAMPLE__'`, command, '__ORIGIN_EXAMPLE__');
    });
    write('examples.sh', `${script.join('\n')}\n`);
    const run = spawnSync('bash', ['examples.sh'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(run.stderr).not.toContain('setup failed');
    const statuses = new Map(
      readFileSync(join(dir, 'out', 'statuses'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ').map(Number) as [number, number]),
    );
    const failures: string[] = [];
    examples.forEach((example, n) => {
      const expected = EXPECTED_EXIT.find(([re]) => re.test(example.command))?.[1] ?? 0;
      const status = statuses.get(n);
      if (status !== expected) {
        const stderr = readFileSync(join(dir, 'out', `${n}.stderr`), 'utf8').trim();
        failures.push(
          `README.md:${example.line}: ${example.command}\n  exited ${String(status)}, expected ${expected}: ${stderr}`,
        );
      }
    });
    expect(failures).toEqual([]);
  }, 900_000);
});
