import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_FIELDS, ROOT, origin, tempDir } from '../helpers/cli';
import { referenceRoot, sha256Hex } from '../helpers/reference';

const RUN = join(ROOT, 'bin', 'run.js');

describe('origin card', () => {
  let dir: string;
  let cleanup: () => void;
  let session: string;
  const texts: string[] = [];

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-card-'));
    session = origin(
      ['session', 'start', '--meta', 'model=card-lm', '--config-hash', 'a'.repeat(64)],
      { cwd: dir },
    ).stdout.trim();
    const records = [
      ...Array.from({ length: 6 }, (_, i) => ({
        text: `wiki article ${i}`,
        source: 'wikipedia',
        license: 'CC-BY-4.0',
      })),
      ...Array.from({ length: 3 }, (_, i) => ({
        text: `news story ${i}`,
        source: 'news',
        license: 'CC-BY-NC-4.0',
      })),
      { text: 'wiki article 0', source: 'mirror', license: 'CC-BY-4.0' },
    ];
    texts.push(...records.map((r) => r.text));
    const r = origin(['ingest', '--session', session, ...RECORD_FIELDS, '--batch-size', '4'], {
      cwd: dir,
      input: records.map((x) => JSON.stringify(x)).join('\n'),
    });
    expect(r.status).toBe(0);
    expect(origin(['session', 'end', session], { cwd: dir }).status).toBe(0);
  });
  afterAll(() => cleanup());

  const card = (extra: string[] = [], env: NodeJS.ProcessEnv = {}): string => {
    const r = origin(['card', session.slice(0, 8), ...extra], { cwd: dir, env });
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it('states the session, the summary and the composition from the store', () => {
    const md = card();
    expect(md).toContain(`# Provenance card — session \`${session}\``);
    expect(md).toContain('| Status | completed |');
    expect(md).toContain(`| Config hash (SHA-256) | \`${'a'.repeat(64)}\` |`);
    expect(md).toContain('| Metadata | model=card-lm |');
    // 10 records, 9 distinct, 1 duplicate, 3 batches of 4, 3 sources
    const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
    expect(md).toContain(`| 10 | 9 | 1 | ${bytes} | 3 | 3 | 0 |`);
    // Records and their share, then content bytes and theirs: each labelled, each exact.
    const share = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)}%`;
    const sum = (pred: (i: number) => boolean) =>
      texts.reduce((n, t, i) => (pred(i) ? n + Buffer.byteLength(t) : n), 0);
    const wikiBytes = sum((i) => i < 6);
    const newsBytes = sum((i) => i >= 6 && i < 9);
    expect(md).toContain(
      '| Source | License | Records | Share of records | Content bytes | Share of content bytes |',
    );
    expect(md).toContain(
      `| wikipedia | \`CC-BY-4.0\` | 6 | 60.0% | ${wikiBytes} | ${share(wikiBytes, bytes)} |`,
    );
    expect(md).toContain(
      `| news | \`CC-BY-NC-4.0\` | 3 | 30.0% | ${newsBytes} | ${share(newsBytes, bytes)} |`,
    );
    expect(share(newsBytes, bytes)).not.toBe('30.0%'); // the two shares differ here
    const ccBytes = sum((i) => i < 6 || i === 9);
    expect(md).toMatch(
      new RegExp(
        `\\| \`CC-BY-4\\.0\` \\| .* \\| 7 \\| 70\\.0% \\| ${ccBytes} \\| ${share(ccBytes, bytes).replace('.', '\\.')} \\| (mirror, wikipedia|wikipedia, mirror) \\|`,
      ),
    );
    // A mermaid pie of the content bytes per source and license.
    const pie =
      /```mermaid\npie showData title Content bytes by source and license\n([\s\S]*?)\n```/.exec(
        md,
      );
    expect(pie).not.toBeNull();
    expect((pie as RegExpExecArray)[1].split('\n')).toEqual([
      `    "wikipedia (CC-BY-4.0)" : ${wikiBytes}`,
      `    "news (CC-BY-NC-4.0)" : ${newsBytes}`,
      `    "mirror (CC-BY-4.0)" : ${sum((i) => i === 9)}`,
    ]);
  });

  it('analyses the licenses and lists attribution, conflicts and the use category', () => {
    const md = card();
    expect(md).toContain('| Use category | non-commercial |');
    expect(md).toContain('`non-commercial-in-commercial-use` — **CC-BY-NC-4\\.0**');
    expect(md).toContain('**Warnings:** none.');
    expect(md).toMatch(/- (mirror, wikipedia|wikipedia, mirror) — `CC-BY-4.0`/);
    expect(md).toContain('not legal advice');
    const research = card(['--intended-use', 'research']);
    expect(research).not.toContain('non-commercial-in-commercial-use');
  });

  it('gives the session root, the batch roots and the commands that check them', () => {
    const md = card();
    const root = referenceRoot(texts.map((t) => Buffer.from(sha256Hex(t), 'hex')));
    expect(md).toContain(`| Session root (RFC 6962, SHA-256) | \`${root}\` |`);
    expect(md).toContain(`origin verify --session ${session} --root ${root}`);
    // The command the card prints passes on this database.
    expect(origin(['verify', '--session', session, '--root', root], { cwd: dir }).status).toBe(0);
    expect(md).toContain('| Batches | 3 |');
    const first = referenceRoot(texts.slice(0, 4).map((t) => Buffer.from(sha256Hex(t), 'hex')));
    const last = referenceRoot(texts.slice(8).map((t) => Buffer.from(sha256Hex(t), 'hex')));
    expect(md).toContain(`| First batch root | #0: \`${first}\` |`);
    expect(md).toContain(`| Last batch root | #2: \`${last}\` |`);
  });

  it('explains each digest with the commands that re-derive it, and they do', () => {
    const md = card();
    for (const name of [
      'Session root',
      'Batch roots',
      'Origins root',
      'Session head',
      'SHA-256 of its fingerprints',
    ])
      expect(md).toContain(`- **${name}**`);
    const blocks = [...md.matchAll(/```sh\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    const perSource = blocks.find((b) => b.includes('--arg source')) as string;
    const sh = (script: string): string => {
      const r = spawnSync(
        'bash',
        ['-c', `set -o pipefail; origin() { node "${RUN}" "$@"; }\n${script}`],
        {
          cwd: dir,
          env: { ...process.env, NO_COLOR: '1' },
        },
      );
      expect(r.stderr.toString()).toBe('');
      expect(r.status).toBe(0);
      return r.stdout.toString().split(' ')[0];
    };
    const json = JSON.parse(
      origin(['export', session, '--format', 'json'], { cwd: dir }).stdout,
    ) as {
      sources: { source: string; license: string; sha256: string }[];
      integrity: { session_head: string };
    };
    for (const x of json.sources)
      expect(
        sh(perSource.replace("'SOURCE'", `'${x.source}'`).replace("'LICENSE'", `'${x.license}'`)),
      ).toBe(x.sha256);
    // The verify command the card prints pins the head, and passes.
    const verify = blocks.find((b) => b.startsWith('origin verify')) as string;
    expect(verify).toContain(`--head ${json.integrity.session_head}`);
    sh(verify);
  });

  it('is byte-identical for the same store under SOURCE_DATE_EPOCH, and writes -o files', () => {
    const a = card([], { SOURCE_DATE_EPOCH: '1700000000' });
    const b = card([], { SOURCE_DATE_EPOCH: '1700000000' });
    expect(a).toBe(b);
    expect(a).toContain('Generated by origin 0.1.0 at 2023-11-14T22:13:20.000Z.');
    const r = origin(['card', session, '-o', 'card.md'], {
      cwd: dir,
      env: { SOURCE_DATE_EPOCH: '1700000000' },
    });
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'card.md'), 'utf8')).toBe(a);
  });

  it('lists the training runs and evaluations recorded on the session', () => {
    expect(card()).toContain('No lineage events recorded for this session.');
    const dataset = origin(
      ['lineage', 'record', 'dataset', '--session', session, '--name', 'card-data'],
      { cwd: dir },
    ).stdout.trim();
    const run = origin(
      [
        'lineage',
        'record',
        'training',
        '--parent',
        dataset,
        '--model',
        'card-lm',
        '--run-id',
        'run-7',
      ],
      { cwd: dir },
    ).stdout.trim();
    expect(run).toMatch(/^[0-9a-f]{64}$/);
    const md = card();
    expect(md).toMatch(
      new RegExp(
        `\\| training \\| \`${run}\` \\| [0-9T:.Z\\\\-]+ \\| .*model=card-lm.*run\\\\_id=run-7`,
      ),
    );
  });

  it('refuses an unknown session with exit 2', () => {
    const r = origin(['card', 'ffffffffff'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no session matches');
  });
});
