import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
const RUN = join(ROOT, 'bin', 'run.js');

/** Ingest flags for the test records' layout: {"text": …, "source": …, "license": …}. */
export const RECORD_FIELDS = [
  '--content-field',
  'text',
  '--source-field',
  'source',
  '--license-field',
  'license',
];

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
}

function cliEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  if (!extra || !('ORIGIN_DB_PATH' in extra)) delete env.ORIGIN_DB_PATH;
  return env;
}

/** Runs the built CLI (bin/run.js) synchronously. */
export function origin(args: string[], options: CliOptions): CliResult {
  const r = spawnSync(process.execPath, [RUN, ...args], {
    cwd: options.cwd,
    input: options.input,
    env: cliEnv(options.env),
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** Runs the built CLI asynchronously (for races and signals). */
export function originAsync(
  args: string[],
  options: CliOptions,
): { child: ReturnType<typeof spawn>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [RUN, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (options.input !== undefined) child.stdin.end(options.input);
  const done = new Promise<CliResult>((resolveDone) =>
    child.on('close', (code) => resolveDone({ status: code ?? -1, stdout, stderr })),
  );
  return { child, done };
}

/** A fresh temp directory, removed after the test file. */
export function tempDir(prefix = 'origin-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
