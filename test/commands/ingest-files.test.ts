import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, origin, tempDir } from '../helpers/cli';
import { openDb, sessionFingerprints } from '../helpers/reference';

const RUN = join(ROOT, 'bin', 'run.js');

/** Runs a shell script in `cwd` (standard tools only: find, sort, sha256sum, tar). */
const shell = (cwd: string, script: string): string =>
  execFileSync('bash', ['-c', script], { cwd, env: { ...process.env, LC_ALL: 'C' } }).toString();

describe('origin ingest: directories, --format file and --format tar', () => {
  let dir: string;
  let cleanup: () => void;
  const dbFile = (): string => join(dir, 'origin.db');
  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-files-'));
    // A tree whose byte order differs from a depth-first walk ("a-b" < "a/" < "a_b").
    for (const d of ['data/a', 'data/a-b', 'data/a_b', 'data/.hidden', 'images/cats']) {
      mkdirSync(join(dir, d), { recursive: true });
    }
    writeFileSync(join(dir, 'data/a/x.jsonl'), '{"text":"a/x 1"}\n{"text":"a/x 2"}\n');
    writeFileSync(join(dir, 'data/a-b/y.jsonl'), '{"text":"a-b/y"}\n');
    writeFileSync(join(dir, 'data/a_b/z.jsonl'), '{"text":"a_b/z"}\n');
    writeFileSync(join(dir, 'data/.hidden/skip.jsonl'), '{"text":"hidden"}\n');
    writeFileSync(join(dir, 'data/B.jsonl'), '{"text":"B"}\n');
    shell(dir, 'printf \'{"text":"gz"}\\n\' | gzip > data/a/w.jsonl.gz');
    shell(dir, 'for i in 1 2 3; do head -c $((i * 70000)) /dev/urandom > images/cats/$i.jpg; done');
    writeFileSync(join(dir, 'images/empty.bin'), '');
    shell(dir, 'printf fake | gzip > images/packed.gz');
    symlinkSync('cats/1.jpg', join(dir, 'images/link.jpg'));
  });
  afterAll(() => cleanup());

  const run = (
    args: string[],
  ): { session_id: string; records: number; sources: { source: string; records: number }[] } => {
    const r = origin(['ingest', ...args, '--json'], {
      cwd: dir,
      env: { ORIGIN_DB_PATH: dbFile() },
    });
    if (r.status !== 0) throw new Error(`ingest failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const fps = async (id: string): Promise<string[]> =>
    sessionFingerprints(await openDb(dbFile()), id).map((b) => b.toString('hex'));

  it('walks a directory in the byte order of its paths, skipping dot-files, each file its own source', async () => {
    const s = run(['data', '--content-field', 'text']);
    // The order `find | LC_ALL=C sort` gives, and each record's text hashed by sha256sum.
    const order = shell(dir, "find data -name '.*' -prune -o -type f -print | sort")
      .trim()
      .split('\n');
    expect(order).toEqual([
      'data/B.jsonl',
      'data/a-b/y.jsonl',
      'data/a/w.jsonl.gz',
      'data/a/x.jsonl',
      'data/a_b/z.jsonl',
    ]);
    const expected = shell(
      dir,
      `for f in ${order.join(' ')}; do zcat -f "$f" | sed 's/^{"text":"\\(.*\\)"}$/\\1/' | while IFS= read -r t; do printf '%s' "$t" | sha256sum | cut -c1-64; done; done`,
    )
      .trim()
      .split('\n');
    expect(await fps(s.session_id)).toEqual(expected);
    expect(s.sources.map((x) => x.source).sort()).toEqual(order.slice().sort());

    const byDir = run(['data', '--content-field', 'text', '--source-from', 'dir']);
    expect(Object.fromEntries(byDir.sources.map((x) => [x.source, x.records]))).toEqual({
      data: 1,
      'data/a': 3,
      'data/a-b': 1,
      'data/a_b': 1,
    });
    const byName = run([
      'data',
      '--content-field',
      'text',
      '--source-from',
      'name',
      '--source',
      'corpus',
    ]);
    expect(byName.sources.map((x) => x.source)).toEqual(['corpus']);
  });

  it('--format file: every file one sample, its fingerprint the sha256sum of its bytes', async () => {
    const s = run(['images', '--format', 'file', '--license', 'CC-BY-4.0']);
    const expected = shell(
      dir,
      'find images -type f -o -type l | sort | while read -r f; do sha256sum < "$f" | cut -c1-64; done',
    )
      .trim()
      .split('\n');
    expect(s.records).toBe(6);
    // Never decompressed: a .gz file is the sample of its compressed bytes.
    expect(await fps(s.session_id)).toEqual(expected);
    const one = run(['images/cats/2.jpg', '--format', 'file']);
    expect(await fps(one.session_id)).toEqual([
      shell(dir, 'sha256sum < images/cats/2.jpg').slice(0, 64),
    ]);
  });

  it('--format tar: every member one sample, plain or compressed, in archive order', async () => {
    shell(dir, 'tar -cf shard.tar -C images cats empty.bin && gzip -k shard.tar');
    const expected = shell(
      dir,
      'rm -rf x && mkdir x && tar -xf shard.tar -C x && tar -tf shard.tar | while read -r m; do [ -f "x/$m" ] && sha256sum < "x/$m" | cut -c1-64; done; true',
    )
      .trim()
      .split('\n');
    expect(expected).toHaveLength(4);
    const plain = run(['shard.tar', '--format', 'tar']);
    expect(await fps(plain.session_id)).toEqual(expected);
    const gz = run(['shard.tar.gz', '--format', 'tar']);
    expect(await fps(gz.session_id)).toEqual(expected);
    // With --tee the archive's bytes flow through unchanged.
    const tee = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${RUN}" ingest --format tar --tee -q < shard.tar.gz > tee.out`,
      ],
      {
        cwd: dir,
        env: { ...process.env, ORIGIN_DB_PATH: dbFile() },
      },
    );
    expect(tee.status).toBe(0);
    expect(readFileSync(join(dir, 'tee.out')).equals(readFileSync(join(dir, 'shard.tar.gz')))).toBe(
      true,
    );
  });

  it('a truncated or corrupt tar, and an empty directory, are bad input: exit 2, store unchanged', () => {
    const before = readFileSync(dbFile());
    shell(
      dir,
      'head -c 100000 shard.tar > cut.tar && head -c 1024 /dev/urandom > junk.tar && mkdir -p emptydir/.x',
    );
    const cut = origin(['ingest', 'cut.tar', '--format', 'tar'], {
      cwd: dir,
      env: { ORIGIN_DB_PATH: dbFile() },
    });
    expect(cut.status).toBe(2);
    expect(cut.stderr).toMatch(/cut\.tar: member \d+: tar data is truncated or corrupt/);
    const junk = origin(['ingest', 'junk.tar', '--format', 'tar'], {
      cwd: dir,
      env: { ORIGIN_DB_PATH: dbFile() },
    });
    expect(junk.status).toBe(2);
    expect(junk.stderr).toMatch(/junk\.tar: member 1: tar data is truncated or corrupt/);
    const empty = origin(['ingest', 'emptydir'], { cwd: dir, env: { ORIGIN_DB_PATH: dbFile() } });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('directory emptydir has no files');
    const fields = origin(['ingest', 'images', '--format', 'file', '--content-field', 'x'], {
      cwd: dir,
      env: { ORIGIN_DB_PATH: dbFile() },
    });
    expect(fields.status).toBe(2);
    expect(readFileSync(dbFile()).equals(before)).toBe(true);
  });
});

describe('origin ingest: --format csv and tsv', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDir('origin-csv-')));
  afterAll(() => cleanup());
  const env = (): NodeJS.ProcessEnv => ({ ORIGIN_DB_PATH: join(dir, 'origin.db') });
  const run = (
    args: string[],
  ): {
    session_id: string;
    records: number;
    sources: { source: string; license: string; records: number }[];
  } => {
    const r = origin(['ingest', ...args, '--json'], { cwd: dir, env: env() });
    if (r.status !== 0) throw new Error(`ingest failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const fps = async (id: string): Promise<string[]> =>
    sessionFingerprints(await openDb(join(dir, 'origin.db')), id).map((b) => b.toString('hex'));
  /** Python's csv module and hashlib: the fingerprints computed another way. */
  const python = (file: string, delimiter: string, column?: string): string[] =>
    execFileSync(
      'python3',
      [
        '-c',
        `import csv, hashlib, json, sys
with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
    for row in csv.DictReader(f, delimiter=sys.argv[2]):
        content = row[sys.argv[3]] if len(sys.argv) > 3 else json.dumps(row, sort_keys=True, separators=(',', ':'), ensure_ascii=False)
        print(hashlib.sha256(content.encode('utf-8')).hexdigest())`,
        file,
        delimiter,
        ...(column ? [column] : []),
      ],
      { cwd: dir },
    )
      .toString()
      .trim()
      .split('\n');

  it('fingerprints rows as Python reads them: whole rows as JCS, or one column; columns give source and license', async () => {
    const csv =
      '\ufefftext,source,license\nhello,wiki,MIT\n"two\nlines, ""quoted""",code,\nGrüße,,Apache-2.0\n\n';
    writeFileSync(join(dir, 'a.csv'), csv);
    const whole = run(['a.csv', '--format', 'csv']);
    expect(await fps(whole.session_id)).toEqual(python('a.csv', ','));
    const text = run([
      'a.csv',
      '--format',
      'csv',
      '--content-field',
      'text',
      '--source-field',
      'source',
      '--license-field',
      'license',
    ]);
    expect(text.records).toBe(3);
    expect(await fps(text.session_id)).toEqual(python('a.csv', ',', 'text'));
    expect(text.sources.map((s) => `${s.source}|${s.license}`).sort()).toEqual([
      'a.csv|Apache-2.0',
      'code|unknown',
      'wiki|MIT',
    ]);
    writeFileSync(join(dir, 'b.tsv'), 'id\ttext\n1\tfirst\n2\tsecond\n');
    shell(dir, 'gzip -k b.tsv');
    const tsv = run(['b.tsv.gz', '--format', 'tsv', '--content-field', '/text']);
    expect(await fps(tsv.session_id)).toEqual(python('b.tsv', '\t', 'text'));
  });

  it('bad rows are bad input with file and line: exit 2, store unchanged', () => {
    const before = readFileSync(join(dir, 'origin.db'));
    const cases: [string, string | Buffer, RegExp][] = [
      ['short.csv', 'a,b\n1,2\n3\n', /short\.csv:3: CSV: Invalid Record Length/],
      ['dup.csv', 'a,a\n1,2\n', /dup\.csv:1: column "a" appears twice/],
      ['quote.csv', 'a,b\n1,"open\n', /quote\.csv:\d+: CSV: .*[Qq]uote/],
      [
        'bytes.csv',
        Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.from([0xff]), Buffer.from(',3\n')]),
        /bytes\.csv:3: not valid UTF-8/,
      ],
    ];
    for (const [name, content, message] of cases) {
      writeFileSync(join(dir, name), content);
      const r = origin(['ingest', name, '--format', 'csv'], { cwd: dir, env: env() });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/bug in origin/);
    }
    writeFileSync(join(dir, 'ok.csv'), 'a,b\n1,2\n');
    const missing = origin(['ingest', 'ok.csv', '--format', 'csv', '--content-field', 'c'], {
      cwd: dir,
      env: env(),
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('ok.csv:2: no content field "c"');
    expect(readFileSync(join(dir, 'origin.db')).equals(before)).toBe(true);
  });
});

describe('origin ingest: --format parquet', () => {
  let dir: string;
  let cleanup: () => void;
  const texts = ['hello', 'Grüße', 'third', 'fourth', 'fifth'];
  beforeAll(() => {
    ({ dir, cleanup } = tempDir('origin-parquet-'));
    // Written by a real Parquet writer (hyparquet-writer, an ES module: run in its own process),
    // in row groups of 2 rows, so reading crosses row groups.
    const writer = require.resolve('hyparquet-writer').replace(/index\.js$/, 'node.js');
    const script = `import { parquetWriteFile } from ${JSON.stringify(writer)};
const texts = ${JSON.stringify(texts)};
parquetWriteFile({ filename: 'rows.parquet', rowGroupSize: 2, columnData: [
  { name: 'text', data: texts, type: 'STRING' },
  { name: 'id', data: texts.map((_, i) => BigInt(i + 1)), type: 'INT64' },
  { name: 'score', data: texts.map((_, i) => i + 0.5), type: 'DOUBLE' },
  { name: 'source', data: ['wiki', 'wiki', 'code', null, 'code'], type: 'STRING' },
] });
parquetWriteFile({ filename: 'huge.parquet', columnData: [
  { name: 'id', data: [1n, 9007199254740993n], type: 'INT64' },
] });`;
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
  });
  afterAll(() => cleanup());
  const env = (): NodeJS.ProcessEnv => ({ ORIGIN_DB_PATH: join(dir, 'origin.db') });
  const run = (
    args: string[],
  ): { session_id: string; records: number; sources: { source: string; records: number }[] } => {
    const r = origin(['ingest', ...args, '--json'], { cwd: dir, env: env() });
    if (r.status !== 0) throw new Error(`ingest failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const fps = async (id: string): Promise<string[]> =>
    sessionFingerprints(await openDb(join(dir, 'origin.db')), id).map((b) => b.toString('hex'));
  const sha256sum = (text: string): string =>
    execFileSync('sha256sum', { input: text }).toString().slice(0, 64);

  it('records every row in file order across row groups, columns as fields', async () => {
    const s = run([
      'rows.parquet',
      '--format',
      'parquet',
      '--content-field',
      'text',
      '--source-field',
      'source',
    ]);
    expect(await fps(s.session_id)).toEqual(texts.map(sha256sum));
    expect(Object.fromEntries(s.sources.map((x) => [x.source, x.records]))).toEqual({
      wiki: 2,
      code: 2,
      'rows.parquet': 1,
    });
    // A whole row: the JCS of its JSON object (INT64 as a number, a null as null).
    const whole = run(['rows.parquet', '--format', 'parquet']);
    const sources = ['wiki', 'wiki', 'code', null, 'code'];
    expect(await fps(whole.session_id)).toEqual(
      texts.map((t, i) =>
        sha256sum(
          `{"id":${i + 1},"score":${i + 0.5},"source":${JSON.stringify(sources[i])},"text":${JSON.stringify(t)}}`,
        ),
      ),
    );
  });

  it('a truncated file, a value JSON cannot hold and a stream are bad input: exit 2, store unchanged', () => {
    const before = readFileSync(join(dir, 'origin.db'));
    shell(dir, 'head -c $(( $(stat -c%s rows.parquet) - 10 )) rows.parquet > cut.parquet');
    const cut = origin(['ingest', 'cut.parquet', '--format', 'parquet'], { cwd: dir, env: env() });
    expect(cut.status).toBe(2);
    expect(cut.stderr).toMatch(/cut\.parquet: row 1: Parquet: /);
    const huge = origin(['ingest', 'huge.parquet', '--format', 'parquet'], {
      cwd: dir,
      env: env(),
    });
    expect(huge.status).toBe(2);
    expect(huge.stderr).toContain(
      'huge.parquet: row 2: column "id" holds the integer 9007199254740993',
    );
    const stream = origin(['ingest', '--format', 'parquet'], {
      cwd: dir,
      env: env(),
      input: readFileSync(join(dir, 'rows.parquet')),
    });
    expect(stream.status).toBe(2);
    expect(stream.stderr).toContain('--format parquet reads files');
    expect(readFileSync(join(dir, 'origin.db')).equals(before)).toBe(true);
  });
});
