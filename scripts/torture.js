#!/usr/bin/env node
// Torture test of durable ingest, run against the built CLI (npm run build first; npm run torture
// does). Three parts, each printing what it counted:
//  1. pipelines: --writers concurrent `ingest --tee` pipelines stream for --seconds into two
//     sessions of one store; --kills of them are killed with SIGKILL at random instants. Every
//     record of a surviving writer must be recorded; a killed writer may lose only what it
//     observed since its last checkpoint; `verify` must pass after every kill and at the end.
//  2. crashes: --crashes ingests (with a checkpoint every 2,000 records) killed at random
//     instants; after each, the file must open and verify.
//  3. second writer: while one tee ingest streams for --long-seconds, another writer commits every
//     few seconds; its wait for the lock must stay within one commit of the long writer.
// Usage: npm run torture [-- --writers 8 --seconds 30 --kills 3 --crashes 200 --long-seconds 600]
//        [-- --only pipelines|crashes|second-writer]
// Exit 0 when every check held, 1 otherwise.
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const RUN = join(__dirname, '..', 'bin', 'run.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  return typeof fallback === 'number' ? Number(process.argv[i + 1]) : process.argv[i + 1];
}
const WRITERS = arg('writers', 8);
const SECONDS = arg('seconds', 30);
const KILLS = arg('kills', 3);
const CRASHES = arg('crashes', 200);
const LONG_SECONDS = arg('long-seconds', 600);
const ONLY = arg('only', '');
const RATE = 1000; // records per second per pipeline (asked; a busy machine delivers fewer)
const CHECKPOINT = '2s';

let failures = 0;
function check(ok, what) {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

function origin(args, db) {
  const r = spawnSync(process.execPath, [RUN, ...args, '--path', db], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function verifies(db) {
  return origin(['verify', '-q'], db).status === 0;
}

/** Files beside the database other than the database itself: locks and save leftovers. */
function leftovers(dir) {
  return readdirSync(dir).filter((name) => name.startsWith('.'));
}

// A generator of unique JSONL records, RATE per second, for `seconds` (or until killed).
const GENERATOR = `
const [name, seconds, rate] = process.argv.slice(1);
let seq = 0;
const end = Date.now() + Number(seconds) * 1000;
process.stdout.on('error', () => process.exit(0));
const tick = () => {
  if (Date.now() >= end) return process.stdout.end();
  let chunk = '';
  for (let i = 0; i < Number(rate) / 100; i++, seq++)
    chunk += JSON.stringify({ text: name + ' record ' + seq + ' ' + Math.random(), source: name, license: 'MIT' }) + '\\n';
  process.stdout.write(chunk);
  setTimeout(tick, 10);
};
tick();
`;

/** One `generator | origin ingest --tee | downstream` pipeline; counts the lines downstream sees. */
function pipeline(db, session, name, seconds) {
  const generator = spawn(process.execPath, ['-e', GENERATOR, name, String(seconds), String(RATE)]);
  const ingest = spawn(process.execPath, [
    RUN,
    'ingest',
    '--path',
    db,
    '--session',
    session,
    '--tee',
    '--source-field',
    'source',
    '--license-field',
    'license',
    '--checkpoint-every',
    CHECKPOINT,
    '--json',
  ]);
  generator.stdout.pipe(ingest.stdin);
  ingest.stdin.on('error', () => {});
  const p = { name, generator, ingest, downstream: 0, stderr: '', killedAt: undefined };
  ingest.stdout.on('data', (chunk) => {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) p.downstream++;
  });
  ingest.stderr.on('data', (chunk) => (p.stderr += chunk));
  p.done = new Promise((resolve) =>
    ingest.on('close', (code, signal) => resolve({ code, signal })),
  );
  return p;
}

function summaryOf(p) {
  try {
    return JSON.parse(p.stderr.slice(p.stderr.indexOf('{')));
  } catch {
    return undefined;
  }
}

/** Records recorded per source, over every session of the store. */
function recordedBySource(db) {
  const counts = new Map();
  const sessions = JSON.parse(origin(['sessions', '--json'], db).stdout);
  for (const s of sessions) {
    const detail = JSON.parse(origin(['inspect', s.session_id, '--json'], db).stdout);
    for (const o of detail.sources) counts.set(o.source, (counts.get(o.source) ?? 0) + o.records);
  }
  return counts;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function pipelines(dir) {
  console.log(`pipelines: ${WRITERS} tee pipelines, ${SECONDS} s each, ${KILLS} killed (SIGKILL)`);
  const db = join(dir, 'pipelines.db');
  origin(['init'], db);
  const sessions = [0, 1].map(() => origin(['session', 'start'], db).stdout.trim());
  const started = Date.now();
  const all = Array.from({ length: WRITERS }, (_, i) =>
    pipeline(db, sessions[i % 2], `w${i}`, SECONDS),
  );
  const victims = [...all].sort(() => Math.random() - 0.5).slice(0, KILLS);
  const kills = victims.map(async (p) => {
    await sleep(3000 + Math.random() * (SECONDS - 5) * 1000);
    p.ingest.kill('SIGKILL');
    p.generator.kill('SIGKILL');
    await p.done;
    // What the pipeline passed downstream before it died: everything it had observed.
    p.killedAt = p.downstream;
    p.streamedMs = Date.now() - started;
    const ok = verifies(db);
    check(
      ok,
      `verify exits 0 after ${p.name} was killed at ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  });
  await Promise.all([...all.map((p) => p.done), ...kills]);
  const wall = (Date.now() - started) / 1000;
  const recorded = recordedBySource(db);
  let waited = 0;
  let commitMax = 0;
  let checkpoints = 0;
  for (const p of all.filter((w) => w.killedAt === undefined)) {
    const got = recorded.get(p.name) ?? 0;
    const s = summaryOf(p);
    check(
      s !== undefined && got === p.downstream && got === s.records,
      `${p.name} survived: ${p.downstream} records streamed, ${got} recorded`,
    );
    if (s) {
      waited = Math.max(waited, s.lock_waited_ms_max);
      commitMax = Math.max(commitMax, s.commit_ms_max);
      checkpoints += s.checkpoints;
    }
  }
  // The interval stretches to ten times the last commit (README: Checkpoints); a kill can also
  // land during a commit, whose records are then lost too.
  const intervalMs = Math.max(Number.parseInt(CHECKPOINT, 10) * 1000, 10 * commitMax);
  const allowedMs = intervalMs + commitMax + 1000;
  for (const p of all.filter((w) => w.killedAt !== undefined)) {
    const got = recorded.get(p.name) ?? 0;
    const lost = p.killedAt - got;
    const lostMs = (lost / Math.max(p.killedAt, 1)) * p.streamedMs;
    check(
      got <= p.killedAt && lostMs <= allowedMs,
      `${p.name} killed: ${p.killedAt} records streamed, ${got} recorded, ${lost} lost ` +
        `(${(lostMs / 1000).toFixed(1)} s of its stream; the interval was ${(intervalMs / 1000).toFixed(1)} s)`,
    );
  }
  check(verifies(db), 'verify exits 0 at the end');
  for (const s of sessions) origin(['session', 'end', s, '--status', 'interrupted'], db);
  check(
    leftovers(dir).length === 0,
    `no lock or temp file left (${leftovers(dir).join(' ') || 'none'})`,
  );
  console.log(
    `  survivors made ${checkpoints} commits; longest commit ${commitMax} ms; longest lock wait ` +
      `${waited} ms (${(waited / Math.max(commitMax, 1)).toFixed(1)} commits' time); ${wall.toFixed(1)} s in all`,
  );
  // Writers queue for the lock without an order: one may wait for each of the others once.
  check(
    waited <= commitMax * (WRITERS - 1) + 100,
    `no writer waited longer than one commit of each other writer`,
  );
}

async function crashes(dir) {
  console.log(`crashes: ${CRASHES} ingests killed (SIGKILL) at random instants`);
  const db = join(dir, 'crashes.db');
  origin(['init'], db);
  const input = join(dir, 'crash-input.jsonl');
  const lines = [];
  for (let i = 0; i < 20_000; i++)
    lines.push(JSON.stringify({ text: `crash record ${i}`, source: 's' }));
  writeFileSync(input, `${lines.join('\n')}\n`);
  const args = [RUN, 'ingest', input, '--path', db, '--checkpoint-every', '2000', '-q'];
  const t0 = Date.now();
  spawnSync(process.execPath, args);
  const typicalMs = Date.now() - t0;
  // Kill between the end of start-up (timed on a one-record ingest) and the end of the work.
  const one = join(dir, 'one.jsonl');
  writeFileSync(one, '{"text":"one"}\n');
  const t1 = Date.now();
  spawnSync(process.execPath, [RUN, 'ingest', one, '--path', join(dir, 'scratch.db'), '-q']);
  const startupMs = Math.min(Date.now() - t1, typicalMs * 0.8);
  let opened = 0;
  let leftoversSeen = 0;
  const started = Date.now();
  for (let i = 0; i < CRASHES; i++) {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    const closed = new Promise((resolve) => child.on('close', resolve));
    await sleep(startupMs + Math.random() * (typicalMs - startupMs));
    child.kill('SIGKILL');
    await closed;
    if (leftovers(dir).length > 0) leftoversSeen++;
    if (verifies(db)) opened++;
    else console.log(`  FAIL verify after kill ${i + 1}`);
  }
  check(opened === CRASHES, `the file opened and verified after ${opened} of ${CRASHES} kills`);
  origin(['session', 'start'], db);
  check(
    leftovers(dir).length === 0,
    `${leftoversSeen} kills left a lock or temp file; the next writer removed them all`,
  );
  const sessions = JSON.parse(origin(['sessions', '--json'], db).stdout);
  const recorded = sessions.filter((s) => s.records > 0).length - 1;
  console.log(
    `  one ingest takes ${typicalMs} ms alone (${startupMs} ms of start-up); ${recorded} killed ingests had committed a checkpoint; ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
  );
}

async function secondWriter(dir) {
  console.log(
    `second writer: one tee ingest streams for ${LONG_SECONDS} s; another commits meanwhile`,
  );
  const db = join(dir, 'second.db');
  origin(['init'], db);
  const long = pipeline(db, origin(['session', 'start'], db).stdout.trim(), 'long', LONG_SECONDS);
  const small = join(dir, 'small.jsonl');
  let waitMax = 0;
  let runs = 0;
  const end = Date.now() + LONG_SECONDS * 1000 - 5000;
  while (Date.now() < end) {
    await sleep(2000 + Math.random() * 3000);
    writeFileSync(small, `${JSON.stringify({ text: `second ${runs} ${Math.random()}` })}\n`);
    const r = origin(['ingest', small, '--json'], db);
    if (r.status !== 0) {
      check(false, `the second writer failed: ${r.stderr.trim()}`);
      break;
    }
    waitMax = Math.max(waitMax, JSON.parse(r.stdout).lock_waited_ms_max);
    runs++;
  }
  await long.done;
  const s = summaryOf(long);
  check(
    s !== undefined && s.records === long.downstream,
    `the long writer recorded ${s?.records} of ${long.downstream} records`,
  );
  check(verifies(db), 'verify exits 0 at the end');
  console.log(
    `  ${runs} second-writer commits; longest wait ${waitMax} ms; the long writer's longest commit ${s?.commit_ms_max} ms over ${s?.checkpoints} commits`,
  );
  check(
    s !== undefined && waitMax <= s.commit_ms_max + 100,
    'the second writer waited at most one commit',
  );
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'origin-torture-'));
  try {
    if (!ONLY || ONLY === 'pipelines') await pipelines(dir);
    if (!ONLY || ONLY === 'crashes') await crashes(dir);
    if (!ONLY || ONLY === 'second-writer') await secondWriter(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(failures === 0 ? 'torture: every check held' : `torture: ${failures} checks failed`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
