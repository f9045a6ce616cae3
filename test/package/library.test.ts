// The package as a consumer gets it: `npm pack`, unpacked into a fresh project's node_modules, used
// from CommonJS, from ESM and from TypeScript through the shipped declarations.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ROOT, origin, tempDir } from '../helpers/cli';

/** The production dependencies at the top of the repository's node_modules. */
function productionDependencies(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  const top = join(ROOT, 'node_modules') + '/';
  return [
    ...new Set(
      out
        .split('\n')
        .filter((p) => p.startsWith(top))
        .map((p) => p.slice(top.length))
        .filter((rel) => !rel.includes('/node_modules/'))
        .map((rel) =>
          rel
            .split('/')
            .slice(0, rel.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    ),
  ];
}

const CJS = `
const { openStore, ingest, verify, conflicts, card, ExitCode, UsageError } = require('origin-provenance');
async function* records() {
  yield { text: 'a commercial-use sample', source: 'wiki', license: 'CC-BY-4.0' };
  yield { text: 'a non-commercial sample', source: 'news', license: 'CC-BY-NC-4.0' };
  yield '{"text":"a line of JSONL","source":"wiki","license":"CC-BY-4.0"}';
}
(async () => {
  const store = await openStore(process.argv[2], { mode: 'create' });
  const summary = await ingest(store, records(), {
    contentField: 'text', sourceField: 'source', licenseField: 'license',
  });
  await store.close();
  const read = await openStore(process.argv[2]);
  const report = await verify(read);
  const commercial = conflicts(read);
  const research = conflicts(read, { use: 'research' });
  const { markdown } = card(read, summary.session_id.slice(0, 8));
  await read.close();
  // Bad input is a UsageError (exit 2) and changes nothing.
  const write = await openStore(process.argv[2], { mode: 'write' });
  let bad;
  try {
    await ingest(write, [42]);
  } catch (err) {
    bad = err instanceof UsageError && err.exitCode === ExitCode.USAGE && err.message;
  }
  await write.abandon();
  console.log(JSON.stringify({
    session_id: summary.session_id, records: summary.records, root: summary.session_root,
    verified: report.ok, commercial_failed: commercial.failed,
    rules: commercial.conflicts.map((c) => c.rule), research_failed: research.failed,
    card: markdown.startsWith('# Provenance card'), bad,
  }));
})().catch((err) => { console.error(err); process.exit(1); });
`;

const ESM = `
import { openStore, verify, listSessions, checkProof, buildProof, diff, version } from 'origin-provenance';
import lib from 'origin-provenance';
const store = await openStore(process.argv[2]);
const [session] = listSessions(store);
const report = await verify(store, { session: session.uid, root: Buffer.from(session.root).toString('hex') });
const same = diff(store, session.uid, session.uid, { failOn: 'new-license' });
await store.close();
console.log(JSON.stringify({ ok: report.ok, sessions: 1, version, default_export: typeof lib.openStore,
  diff: [same.samples, same.failed] }));
`;

const TS = `
import { openStore, ingest, conflicts, type IngestSummary, type ConflictsReport } from 'origin-provenance';
async function main(path: string): Promise<number> {
  const store = await openStore(path, { mode: 'create' });
  const summary: IngestSummary = await ingest(store, [{ text: 'x' }], { contentField: 'text' });
  const report: ConflictsReport = conflicts(store, { use: 'research' });
  await store.close();
  return summary.records + report.conflicts.length;
}
void main('typed.db');
`;

describe('the packed package, as a consumer uses it', () => {
  let dir: string;
  let cleanup: () => void;
  let app: string;
  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-pack-'));
    // --ignore-scripts: the build is already there (npm test builds first).
    const name = execFileSync(
      'npm',
      ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    ).trim();
    app = join(dir, 'app');
    const installed = join(app, 'node_modules', 'origin-provenance');
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}\n');
    execFileSync('tar', ['-xzf', join(dir, name), '-C', installed, '--strip-components=1']);
    // The registry is not reachable offline and the npm cache holds no package documents, so the
    // dependencies come from this repository's install instead of `npm install`.
    for (const dep of productionDependencies()) {
      const link = join(app, 'node_modules', dep);
      mkdirSync(join(link, '..'), { recursive: true });
      if (!existsSync(link)) symlinkSync(join(ROOT, 'node_modules', dep), link, 'dir');
    }
    writeFileSync(join(app, 'use.cjs'), CJS);
    writeFileSync(join(app, 'use.mjs'), ESM);
    writeFileSync(join(app, 'typed.ts'), TS);
  }, 120000);
  afterAll(() => cleanup());

  it('ships the library entry, its declarations and the taxonomy', () => {
    const pkg = join(app, 'node_modules', 'origin-provenance');
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'licenses.yaml', 'package.json'])
      expect(existsSync(join(pkg, f))).toBe(true);
    expect(readdirSync(join(pkg, 'dist'))).toContain('origin.cjs');
  });

  it('CommonJS: records an async iterable, verifies, checks licenses, writes a card', () => {
    const db = join(dir, 'lib.db');
    const r = spawnSync(process.execPath, ['use.cjs', db], { cwd: app, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      records: 3,
      verified: true,
      commercial_failed: true,
      rules: ['non-commercial-in-commercial-use'],
      research_failed: false,
      card: true,
      bad: 'record 1: expected an object or a string, got number',
    });
    // The CLI reads what the library wrote, with the same root.
    const inspect = origin(['inspect', String(out.session_id), '--path', db, '--json'], {
      cwd: dir,
    });
    expect(inspect.status).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ session_root: out.root, records: 3 });

    const esm = spawnSync(process.execPath, ['use.mjs', db], { cwd: app, encoding: 'utf8' });
    expect(esm.stderr).toBe('');
    expect(esm.status).toBe(0);
    expect(JSON.parse(esm.stdout)).toEqual({
      ok: true,
      sessions: 1,
      version: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
        .version,
      default_export: 'function',
      diff: [{ shared: 3, only_a: 0, only_b: 0 }, false],
    });
  });

  it('TypeScript: the shipped declarations type a consumer under strict NodeNext', () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--types',
      'node',
      '--typeRoots',
      join(ROOT, 'node_modules', '@types'),
      'typed.ts',
    ];
    const ok = spawnSync(process.execPath, [tsc, ...args], { cwd: app, encoding: 'utf8' });
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // And they are real types: a wrong one is an error.
    writeFileSync(join(app, 'typed.ts'), TS.replace('IngestSummary = await', 'string = await'));
    const bad = spawnSync(process.execPath, [tsc, ...args], { cwd: app, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain("is not assignable to type 'string'");
    writeFileSync(join(app, 'typed.ts'), TS);
  });
});
