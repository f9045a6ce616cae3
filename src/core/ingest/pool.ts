/**
 * Parses line segments on worker threads, and on the main thread while they are busy or not yet
 * up, handing every result to one callback. Results arrive in any order; ingest orders them.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ParseOptions, SegmentJob, SegmentParser, SegmentResult } from './parse';
import type { ParserRequest } from './parse-worker';

/** Which parser produced a result: 0 is the main thread, 1… the workers. Label ids are per parser. */
export type ParserId = number;

/** Segments queued at one worker before the main thread parses the next one itself. */
const WORKER_QUEUE = 4;

/**
 * Parser threads to use: one per core besides the main thread's (which records, and parses too
 * while the workers are busy), at most 3. ORIGIN_INGEST_WORKERS=n (tests, benchmarks) forces n.
 */
export function parserThreads(): { count: number; forced: boolean } {
  const forced = process.env.ORIGIN_INGEST_WORKERS;
  if (forced !== undefined && /^[0-9]+$/.test(forced))
    return { count: Number(forced), forced: true };
  return { count: Math.max(1, Math.min(3, availableParallelism() - 1)), forced: false };
}

/**
 * Starts a parser thread. Its program is parse-worker.ts, built three ways: as dist/parse-worker.cjs
 * beside the CLI bundle (scripts/bundle.js), which the single-file executable carries as an asset;
 * as dist/core/ingest/parse-worker.js by tsc; and, under the test runner, which loads these
 * sources as TypeScript, the build's copy of it.
 */
export function startParserWorker(): Worker {
  const sea = singleExecutable();
  if (sea) return new Worker(sea.getAsset('parse-worker.cjs', 'utf8'), { eval: true });
  const candidates = [
    join(__dirname, 'parse-worker.cjs'),
    join(__dirname, 'parse-worker.js'),
    join(__dirname, '..', '..', '..', 'dist', 'core', 'ingest', 'parse-worker.js'),
  ];
  const file = candidates.find((path) => existsSync(path));
  if (!file)
    throw new Error(`the parser thread's program is missing (looked for ${candidates.join(', ')})`);
  return new Worker(file);
}

function singleExecutable(): { getAsset(key: string, encoding: string): string } | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sea = require('node:sea') as {
      isSea(): boolean;
      getAsset(key: string, encoding: string): string;
    };
    return sea.isSea() ? sea : undefined;
  } catch {
    return undefined; // no node:sea on this Node version
  }
}

interface PoolWorker {
  worker: Worker;
  /** Booted: until then (tens of milliseconds) the main thread parses. */
  online: boolean;
  queued: number;
}

type WorkerReply = SegmentResult | { seq: number; error: string };

export class ParsePool {
  private inline: SegmentParser | undefined;
  private readonly workers: PoolWorker[] = [];
  private closing = false;

  constructor(
    private readonly options: ParseOptions,
    private readonly onResult: (parser: ParserId, result: SegmentResult) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  /** From now on, segments go to `count` workers, and to the main thread while they are busy. */
  startWorkers(count: number): void {
    while (this.workers.length < count) {
      const id = this.workers.length + 1;
      const entry: PoolWorker = { worker: startParserWorker(), online: false, queued: 0 };
      entry.worker.once('online', () => (entry.online = true));
      entry.worker.on('error', (err) => this.onError(err));
      entry.worker.on('exit', (code) => {
        if (!this.closing) this.onError(new Error(`a parser thread stopped (exit code ${code})`));
      });
      entry.worker.on('message', (reply: WorkerReply) => {
        entry.queued--;
        if ('error' in reply) this.onError(new Error(reply.error));
        else this.onResult(id, reply);
      });
      const init: ParserRequest = { kind: 'options', options: this.options };
      entry.worker.postMessage(init);
      this.workers.push(entry);
    }
  }

  /**
   * Parses a segment on the least busy worker, or on the main thread when none is up yet or all
   * have WORKER_QUEUE segments waiting; the result comes through onResult (at once from the main
   * thread). The segment's buffer may be transferred: the caller must not use it afterwards.
   */
  submit(job: SegmentJob): void {
    let target: PoolWorker | undefined;
    for (const entry of this.workers) {
      if (!entry.online || entry.queued >= WORKER_QUEUE) continue;
      if (!target || entry.queued < target.queued) target = entry;
    }
    if (target) {
      target.queued++;
      const request: ParserRequest = { kind: 'segment', job };
      target.worker.postMessage(request, [job.data.buffer as ArrayBuffer]);
      return;
    }
    this.inline ??= new SegmentParser(this.options);
    let result: SegmentResult;
    try {
      result = this.inline.parse(job);
    } catch (err) {
      this.onError(err as Error);
      return;
    }
    this.onResult(0, result);
  }

  async close(): Promise<void> {
    this.closing = true;
    const all = this.workers.splice(0);
    await Promise.all(all.map((w) => w.worker.terminate()));
  }
}
