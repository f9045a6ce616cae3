#!/usr/bin/env node
// Benchmark: builds a deterministic corpus and runs the real CLI on it end to end (start, load,
// ingest, save), printing records/s, MB/s, store bytes per record and peak RSS.
// Usage: npm run bench [-- --records 1000000] [-- --runs 5] [-- --formats]
//
// With a second session of the same size (10% of it new), it times `diff` of the two.
//
// It also prints a machine reference: how fast a fresh Node process computes SHA-256 of each
// corpus line (createHash per line, lines already in memory). That is a fixed job, so it shows
// how fast the machine is running at the time; ingest figures move with it.
const { spawn } = require('node:child_process');
const {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  createReadStream,
  createWriteStream,
} = require('node:fs');
const { createInterface } = require('node:readline');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'bench-out');

function argValue(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const RECORDS = argValue('records', 100_000);
const RUNS = argValue('runs', 5);

const SOURCES = [
  ['wikipedia', 'CC-BY-SA-4.0'],
  ['github-code', 'MIT'],
  ['arxiv', 'CC-BY-4.0'],
  ['news-crawl', 'CC-BY-NC-4.0'],
  ['gutenberg', 'LicenseRef-Public-Domain'],
];

// mulberry32: a small deterministic PRNG, so every run builds the same corpus.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in is was for on that with as by at from his her an were are which this be ' +
  'data model training license source sample provenance merkle tree hash audit dataset token ' +
  'language vision corpus research commercial attribution share alike derivative evaluation ' +
  'river mountain city history science music theory algorithm network protocol energy market'
).split(' ');

async function buildCorpus(path, records) {
  const rand = prng(42);
  const out = createWriteStream(path);
  const texts = [];
  for (let i = 0; i < records; i++) {
    let text;
    if (texts.length > 100 && rand() < 0.05) {
      text = texts[Math.floor(rand() * texts.length)]; // ~5% repeated texts
    } else {
      const words = [];
      let len = 0;
      const target = 320 + Math.floor(rand() * 250);
      while (len < target) {
        const w = WORDS[Math.floor(rand() * WORDS.length)];
        words.push(w);
        len += w.length + 1;
      }
      text = words.join(' ');
      if (texts.length < 5000) texts.push(text);
      else texts[Math.floor(rand() * texts.length)] = text;
    }
    const [source, license] = SOURCES[i % SOURCES.length];
    const line = JSON.stringify({
      id: `doc-${i}`,
      source,
      license,
      lang: 'en',
      url: `https://example.org/${source}/${i}`,
      text,
    });
    if (!out.write(`${line}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

// The corpus with its first `count` records rewritten: new text, another source and license.
async function buildChangedCorpus(from, to, count) {
  const out = createWriteStream(to);
  const lines = createInterface({ input: createReadStream(from) });
  let i = 0;
  for await (const line of lines) {
    let text = line;
    if (i++ < count) {
      const record = JSON.parse(line);
      text = JSON.stringify({
        ...record,
        source: 'forum',
        license: 'CC-BY-NC-ND-4.0',
        text: `forum ${record.text}`,
      });
    }
    if (!out.write(`${text}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

// Runs the CLI, sampling its peak RSS (VmHWM) from /proc while it runs.
function runCli(args, okCodes = [0]) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let peakKb = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // the process has exited
      }
    };
    const timer = setInterval(sample, 20);
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('exit', (code) => {
      clearInterval(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (!okCodes.includes(code)) reject(new Error(`origin ${args.join(' ')} exited ${code}`));
      else resolve({ ms, peakMb: peakKb / 1024, stdout });
    });
    child.on('error', reject);
  });
}

// The machine reference: SHA-256 of each line of the corpus in a fresh Node process, in lines/s.
function referenceRate(corpus) {
  const program = `
    const { createHash } = require('node:crypto');
    const data = require('node:fs').readFileSync(process.argv[1]);
    const lines = [];
    for (let at = 0, nl; (nl = data.indexOf(10, at)) !== -1; at = nl + 1) lines.push(data.subarray(at, nl));
    const started = process.hrtime.bigint();
    for (const line of lines) createHash('sha256').update(line).digest();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(String(Math.round((lines.length * 1000) / ms)));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', program, corpus], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(Number(out)) : reject(new Error(`reference run exited ${code}`)),
    );
  });
}

const FORMATS = ['json', 'jsonl', 'mlflow', 'wandb', 'hf', 'spdx', 'cyclonedx', 'eu-ai-act'];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  mkdirSync(OUT, { recursive: true });
  const corpus = join(OUT, `corpus-${RECORDS}.jsonl`);
  if (!existsSync(corpus)) {
    process.stderr.write(`building corpus of ${RECORDS} records…\n`);
    await buildCorpus(corpus, RECORDS);
  }
  const corpusBytes = statSync(corpus).size;
  const db = join(OUT, `bench-${RECORDS}.db`);
  const ingestArgs = [
    'ingest',
    corpus,
    '--path',
    db,
    '--content-field',
    'text',
    '--source-field',
    'source',
    '--license-field',
    'license',
    '--json',
    '--quiet',
  ];

  const ingestRuns = [];
  const references = [];
  for (let i = 0; i < RUNS; i++) {
    rmSync(db, { force: true });
    ingestRuns.push(await runCli(ingestArgs));
    // Taken between the runs, so it sees the machine as they do.
    references.push(await referenceRate(corpus));
  }
  const ms = median(ingestRuns.map((r) => r.ms));
  // The store on disk is the one the last run wrote.
  const summary = JSON.parse(ingestRuns[ingestRuns.length - 1].stdout);
  const dbBytes = statSync(db).size;
  const rows = [
    [
      'corpus',
      `${RECORDS.toLocaleString('en-US')} records, ${(corpusBytes / 1e6).toFixed(1)} MB, ${Math.round(corpusBytes / RECORDS)} B/record avg`,
    ],
    ['ingest end to end (median of ' + RUNS + ')', `${ms.toFixed(0)} ms`],
    ['ingest runs, in order', `${ingestRuns.map((r) => r.ms.toFixed(0)).join(', ')} ms`],
    ['records/s', Math.round((RECORDS * 1000) / ms).toLocaleString('en-US')],
    ['MB/s', (corpusBytes / 1e6 / (ms / 1000)).toFixed(1)],
    ['distinct samples', summary.distinct.toLocaleString('en-US')],
    ['store bytes per record', (dbBytes / RECORDS).toFixed(1)],
    ['store file', `${(dbBytes / 1e6).toFixed(1)} MB`],
    ['peak RSS', `${Math.max(...ingestRuns.map((r) => r.peakMb)).toFixed(0)} MB`],
    [
      'machine reference (median of ' + RUNS + ')',
      `${median(references).toLocaleString('en-US')} lines/s: SHA-256 of each line, Node createHash`,
    ],
  ];

  // The other commands on the store just written, end to end (targets: verify <= 3 s, conflicts
  // <= 1 s, card and each export <= 2 s on a 1M-record session). conflicts exits 4 on this corpus
  // (it mixes share-alike and non-commercial sources), which is its correct answer.
  const session = summary.session_id;
  const out = join(OUT, 'export.tmp');
  // A sample to prove: the last whole record of the corpus's first MB.
  const fd = openSync(corpus, 'r');
  const first = Buffer.alloc(1 << 20);
  const head = first.subarray(0, readSync(fd, first, 0, first.length, 0)).toString('utf8');
  closeSync(fd);
  const lines = head.split('\n');
  const sampleText = JSON.parse(lines[lines.length - 2]).text;
  const timed = [
    ['status', ['status', '--path', db, '--json']],
    ['prove', ['prove', '--text', sampleText, '--session', session, '--path', db, '-o', out]],
    ['verify', ['verify', '--path', db, '--json']],
    ['conflicts', ['conflicts', '--path', db, '--json'], [0, 4]],
    ['card', ['card', session, '--path', db, '-o', out]],
    ...FORMATS.map((f) => [
      `export ${f}`,
      ['export', session, '--format', f, '--path', db, '-o', out],
    ]),
  ];
  for (const [label, args, okCodes] of timed) {
    const run = await runCli(args, okCodes);
    rows.push([label, `${run.ms.toFixed(0)} ms`]);
  }
  rmSync(out, { force: true });
  if (process.argv.includes('--formats')) rows.push(...(await formatRows(corpus, db, ingestArgs)));

  // diff (target <= 2 s on two 1M-record sessions): a second session of the same size whose first
  // 10% of records are new (another text, source and license) and the rest shared.
  const changed = join(OUT, `corpus-${RECORDS}-changed.jsonl`);
  if (!existsSync(changed)) await buildChangedCorpus(corpus, changed, Math.floor(RECORDS / 10));
  const second = JSON.parse(
    (await runCli(['ingest', changed, ...ingestArgs.slice(2)])).stdout,
  ).session_id;
  const diff = await runCli(['diff', session, second, '--path', db, '--json']);
  rows.push([
    'diff (10% changed)',
    `${diff.ms.toFixed(0)} ms, peak RSS ${diff.peakMb.toFixed(0)} MB`,
  ]);

  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}

// --formats: the same corpus gzip- and zstd-compressed, ingested alternately with the plain file
// (target: compressed >= 70% of plain records/s), and as Parquet (target: >= 100,000 records/s).
async function formatRows(corpus, db, ingestArgs) {
  const { spawnSync } = require('node:child_process');
  const variants = [['plain', corpus]];
  const gz = `${corpus}.gz`;
  if (!existsSync(gz))
    spawnSync('bash', ['-c', `gzip -c "${corpus}" > "${gz}"`], { stdio: 'inherit' });
  variants.push(['gzip', gz]);
  const zst = `${corpus}.zst`;
  if (spawnSync('zstd', ['--version']).status === 0) {
    if (!existsSync(zst)) spawnSync('zstd', ['-q', corpus, '-o', zst], { stdio: 'inherit' });
    variants.push(['zstd', zst]);
  }
  const times = new Map(variants.map(([name]) => [name, []]));
  for (let i = 0; i < RUNS; i++) {
    // Interleaved, the order reversed every other round.
    const order = i % 2 === 0 ? variants : [...variants].reverse();
    for (const [name, file] of order) {
      rmSync(db, { force: true });
      const args = [...ingestArgs];
      args[1] = file;
      times.get(name).push((await runCli(args)).ms);
    }
  }
  const rate = (name) => (RECORDS * 1000) / median(times.get(name));
  const rows = [];
  for (const [name] of variants) {
    const vsPlain =
      name === 'plain'
        ? ''
        : `, ${((100 * rate(name)) / rate('plain')).toFixed(0)}% of plain (target >= 70%)`;
    rows.push([
      `jsonl ${name} records/s (median of ${RUNS})`,
      `${Math.round(rate(name)).toLocaleString('en-US')}${vsPlain}`,
    ]);
  }
  const parquet = join(OUT, `corpus-${RECORDS}.parquet`);
  if (!existsSync(parquet)) {
    const { parquetWriteFile } = await import('hyparquet-writer');
    // Line by line from the bytes: the 1M corpus is longer than a string may be.
    const data = readFileSync(corpus);
    const records = [];
    for (let at = 0, nl; (nl = data.indexOf(10, at)) !== -1; at = nl + 1) {
      records.push(JSON.parse(data.toString('utf8', at, nl)));
    }
    const column = (name) => ({ name, data: records.map((r) => r[name]), type: 'STRING' });
    parquetWriteFile({
      filename: parquet,
      columnData: ['id', 'source', 'license', 'lang', 'url', 'text'].map(column),
      rowGroupSize: 100_000,
    });
  }
  const parquetMs = [];
  for (let i = 0; i < RUNS; i++) {
    rmSync(db, { force: true });
    const args = [...ingestArgs, '--format', 'parquet'];
    args[1] = parquet;
    parquetMs.push((await runCli(args)).ms);
  }
  const parquetRate = (RECORDS * 1000) / median(parquetMs);
  rows.push([
    `parquet records/s (median of ${RUNS})`,
    `${Math.round(parquetRate).toLocaleString('en-US')} (target >= 100,000)`,
  ]);
  return rows;
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
