/**
 * Parses line segments on the main thread or on worker threads, and hands every result to one
 * callback. Workers are started from source text (see segment-parser.ts), so they run the same
 * code from dist/ and inside the single-file executable, where no worker script exists on disk.
 */
import { isUtf8 } from 'node:buffer';
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

/** A worker's whole program: the parser, its dependencies and a message loop. */
function workerSource(): string {
  return `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { hash } = require('node:crypto');
const { isUtf8 } = require('node:buffer');
const canonicalize = ${canonicalize.toString()};
const createSegmentParser = ${createSegmentParser.toString()};
const parser = createSegmentParser(workerData, {
  sha256Into: (data, out, offset) => out.write(hash('sha256', data, 'binary'), offset, 32, 'latin1'),
  isUtf8,
  canonicalize,
});
parentPort.on('message', (job) => {
  let result;
  try {
    result = parser.parse(job);
  } catch (err) {
    parentPort.postMessage({ seq: job.seq, error: err instanceof Error ? err.message : String(err) });
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

export class ParsePool {
  private inline: SegmentParser | undefined;
  private readonly workers: { worker: Worker; queued: number }[] = [];

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
    const source = workerSource();
    for (let i = 0; i < count; i++) {
      const id = i + 1;
      const entry = {
        worker: new Worker(source, { eval: true, workerData: this.options }),
        queued: 0,
      };
      entry.worker.on('message', (message: SegmentResult | { seq: number; error: string }) => {
        entry.queued--;
        if ('error' in message) this.onError(new Error(message.error));
        else this.onResult(id, message);
      });
      entry.worker.on('error', (err) => this.onError(err));
      this.workers.push(entry);
    }
  }

  /**
   * Parses a segment on the least busy worker, or on the main thread when there is none or all
   * have WORKER_QUEUE segments waiting; the result comes through onResult (at once from the main
   * thread). The segment's buffer may be transferred: the caller must not use it afterwards.
   */
  submit(job: SegmentJob): void {
    let target: { worker: Worker; queued: number } | undefined;
    for (const entry of this.workers) {
      if (entry.queued < WORKER_QUEUE && (!target || entry.queued < target.queued)) target = entry;
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

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }
}
