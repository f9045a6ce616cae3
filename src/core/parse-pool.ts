/**
 * Parses line segments on the main thread or on worker threads, and hands every result to one
 * callback. Workers are started from source text (see segment-parser.ts), so they run the same
 * code from dist/ and inside the single-file executable, where no worker script exists on disk.
 */
import { isUtf8 } from 'node:buffer';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import canonicalize from 'canonicalize';
import { sha256Into } from './fingerprint';
import {
  SegmentJob,
  SegmentParser,
  SegmentParserDeps,
  SegmentParserOptions,
  SegmentResult,
  createSegmentParser,
} from './segment-parser';

const deps: SegmentParserDeps = { sha256Into, isUtf8, canonicalize };

/** A worker's whole program: a message loop whose first message is the parser's options. */
function workerSource(): string {
  return `'use strict';
const { parentPort } = require('node:worker_threads');
const { hash } = require('node:crypto');
const { isUtf8 } = require('node:buffer');
const canonicalize = ${canonicalize.toString()};
const createSegmentParser = ${createSegmentParser.toString()};
const deps = {
  sha256Into: (data, out, offset) => out.write(hash('sha256', data, 'binary'), offset, 32, 'latin1'),
  isUtf8,
  canonicalize,
};
let parser;
parentPort.on('message', (message) => {
  if (parser === undefined) {
    parser = createSegmentParser(message, deps);
    return;
  }
  let result;
  try {
    result = parser.parse(message);
  } catch (err) {
    parentPort.postMessage({ seq: message.seq, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  parentPort.postMessage(result, [
    result.data.buffer,
    result.fingerprints.buffer,
    result.leaves.buffer,
    result.sizes.buffer,
    result.labels.buffer,
  ]);
});
`;
}

/** Which parser produced a result: 0 is the main thread, 1… the workers. Label ids are per parser. */
export type ParserId = number;

/** Segments queued at one worker before the main thread parses the next one itself. */
const WORKER_QUEUE = 4;

interface PoolWorker {
  worker: Worker;
  /** Booted: until then (tens of milliseconds) the main thread parses. */
  online: boolean;
  queued: number;
  error?: Error;
}

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

let spareSource: string | undefined;

function spawn(): PoolWorker {
  spareSource ??= workerSource();
  const entry: PoolWorker = {
    worker: new Worker(spareSource, { eval: true }),
    online: false,
    queued: 0,
  };
  entry.worker.once('online', () => (entry.online = true));
  entry.worker.on('error', (err) => (entry.error ??= err));
  return entry;
}

/** Started ahead of time (see prestartParserThreads), not in use yet. */
const prestarted: PoolWorker[] = [];

/**
 * Boots the parser threads now, before a command needs them (bin/run.js calls it for ingest, so
 * they boot on a free core while the CLI loads). They do not keep the process alive.
 */
export function prestartParserThreads(): void {
  const { count } = parserThreads();
  while (prestarted.length < count) {
    const entry = spawn();
    entry.worker.unref();
    prestarted.push(entry);
  }
}

export class ParsePool {
  private inline: SegmentParser | undefined;
  private readonly workers: PoolWorker[] = [];
  private closing = false;

  constructor(
    private readonly options: SegmentParserOptions,
    private readonly onResult: (parser: ParserId, result: SegmentResult) => void,
    private readonly onError: (err: Error) => void,
  ) {}

  get threaded(): boolean {
    return this.workers.length > 0;
  }

  /** From now on, segments go to `count` workers, and to the main thread while they are busy. */
  startWorkers(count: number): void {
    if (this.threaded || count < 1) return;
    for (let i = 0; i < count; i++) {
      const id = i + 1;
      const entry = prestarted.shift() ?? spawn();
      entry.worker.ref();
      if (entry.error) this.onError(entry.error);
      entry.worker.on('message', (message: SegmentResult | { seq: number; error: string }) => {
        entry.queued--;
        if ('error' in message) this.onError(new Error(message.error));
        else this.onResult(id, message);
      });
      entry.worker.on('error', (err) => this.onError(err));
      entry.worker.on('exit', (code) => {
        if (!this.closing) this.onError(new Error(`a parser thread stopped (exit code ${code})`));
      });
      entry.worker.postMessage(this.options);
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
      target.worker.postMessage(job, [job.data.buffer as ArrayBuffer]);
      return;
    }
    this.inline ??= createSegmentParser(this.options, deps);
    let result: SegmentResult;
    try {
      result = this.inline.parse(job);
    } catch (err) {
      this.onError(err as Error);
      return;
    }
    this.onResult(0, result);
  }

  /** Stops the workers, and any started ahead of time that were not used. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.workers, ...prestarted.splice(0)];
    this.workers.length = 0;
    await Promise.all(all.map((w) => w.worker.terminate()));
  }
}
