/**
 * Parses line segments on the main thread or on worker threads, and hands every result to one
 * callback. Workers are started from source text (see segment-parser.ts), so they run the same
 * code from dist/ and inside the single-file executable, where no worker script exists on disk.
 *
 * A worker can also read ahead: started before the CLI has even parsed its flags (bin/run.js),
 * it reads and parses the input files on its own, on the core that is otherwise idle while the
 * CLI loads. Ingest adopts that work only if the worker's guess of the inputs and parser options
 * is exactly what ingest runs with. The worker then reads on to the end of the files, parsing
 * segments itself or, when the main thread is about to run out of work, handing them over
 * unparsed; a window of unfinished segments keeps it from running far ahead. If it stops early
 * (a pipe, a stop request), the input continues from where it stopped.
 */
import { isUtf8 } from 'node:buffer';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import canonicalize from 'canonicalize';
import { sha256Binary } from '../merkle/fingerprint';
import { createControlByteScanner } from './control-bytes';
import { createJsonFieldScanner } from './json-fields';
import { LineFramer } from './lines';
import {
  SegmentJob,
  SegmentParser,
  SegmentParserDeps,
  SegmentParserOptions,
  SegmentResult,
  createSegmentParser,
} from './segment-parser';

/** The segment parser's dependencies on this thread (workers build their own from source). */
export const parserDeps: SegmentParserDeps = {
  sha256Binary,
  isUtf8,
  // Made on first use: a WebAssembly instance.
  get hasControlBytes() {
    const scan = createControlByteScanner();
    Object.defineProperty(this, 'hasControlBytes', { value: scan });
    return scan;
  },
  canonicalize,
  createJsonFieldScanner,
};

/** What a worker reads ahead, and how it shares the parsing once ingest has taken it over. */
export interface ReadAhead {
  inputs: string[];
  options: SegmentParserOptions;
  segmentBytes: number;
  /** Segments sent that the main thread has not finished with: at most this many (memory). */
  window: number;
  /**
   * After ingest has taken the reader over: a segment goes to the main thread unparsed when, with
   * it, at most this many are unfinished there (the main thread is about to run out of work).
   */
  handOverBelow: number;
}

/** What a reading-ahead worker reports, in input order. */
export type ReadAheadMessage =
  | { kind: 'segment'; input: number; result: SegmentResult }
  /** A segment for the main thread to parse (its seq is still to be given). */
  | { kind: 'raw'; input: number; job: SegmentJob }
  | { kind: 'too-long'; input: number; bytes: number; firstLineOfInput: boolean }
  /** Input `input` was read to its end: `bytes` in all. */
  | { kind: 'input-done'; input: number; bytes: number }
  /** Stopped: input `input` (inputs.length if all were read) goes on at byte `offset`. */
  | { kind: 'stopped'; input: number; offset: number };

type WorkerMessage =
  | SegmentResult
  | { seq: number; error: string }
  | ReadAheadMessage
  | { kind: 'error'; error: string };

/**
 * A worker's whole program; its first message is the parser's options, or what to read ahead.
 * (scripts/bundle.js also writes it to dist/ingest-reader.cjs with a start of its own, for
 * bin/run.js: see EARLY_PARSER.)
 */
export function parserWorkerSource(): string {
  return `'use strict';
const { parentPort } = require('node:worker_threads');
const { hash } = require('node:crypto');
const { isUtf8 } = require('node:buffer');
const { closeSync, fstatSync, openSync, readSync } = require('node:fs');
parentPort.postMessage({ kind: 'booted' });
const canonicalize = ${canonicalize.toString()};
const createSegmentParser = ${createSegmentParser.toString()};
const createJsonFieldScanner = ${createJsonFieldScanner.toString()};
const createControlByteScanner = ${createControlByteScanner.toString()};
const LineFramer = ${LineFramer.toString()};
const deps = {
  sha256Binary: (data) => hash('sha256', data, 'binary'),
  isUtf8,
  hasControlBytes: createControlByteScanner(),
  canonicalize,
  createJsonFieldScanner,
};
const resultBuffers = (r) => [r.fingerprints.buffer, r.leaves.buffer, r.sizes.buffer, r.labels.buffer];
let parser;
let stopReading = false;
// Read-ahead: whether ingest has taken it over, how many sent segments it has not finished with,
// and the reader waiting for that number to go down.
let adopted = false;
let unfinished = 0;
let wakeReader;
const wake = () => {
  const resume = wakeReader;
  wakeReader = undefined;
  if (resume) resume();
};

// Reads the inputs to their end (or until stopped), parsing segments or handing them over.
async function readAhead({ inputs, options, segmentBytes, window, handOverBelow }) {
  const spare = [];
  for (let input = 0; input < inputs.length; input++) {
    let fd;
    try {
      fd = openSync(inputs[input], 'r');
      // Never block on a pipe or a device: ingest reads those itself.
      if (!fstatSync(fd).isFile()) throw new Error('not a file');
    } catch {
      if (fd !== undefined) closeSync(fd);
      return parentPort.postMessage({ kind: 'stopped', input, offset: 0 });
    }
    const framer = new LineFramer(options.maxLineBytes, segmentBytes, spare);
    let read = 0;
    try {
      for (;;) {
        // Let messages in: stop requests and finished segments.
        await new Promise((resolve) => setImmediate(resolve));
        while (!stopReading && unfinished >= window) await new Promise((resolve) => (wakeReader = resolve));
        if (stopReading) {
          return parentPort.postMessage({ kind: 'stopped', input, offset: read - framer.unsent });
        }
        const region = framer.space(segmentBytes);
        let n;
        try {
          n = readSync(fd, region, 0, segmentBytes, null);
        } catch {
          return parentPort.postMessage({ kind: 'stopped', input, offset: read - framer.unsent });
        }
        if (n === 0) break;
        read += n;
        for (const item of framer.commit(n)) send(input, item, spare, handOverBelow);
      }
      for (const item of framer.end()) send(input, item, spare, handOverBelow);
      parentPort.postMessage({ kind: 'input-done', input, bytes: read });
    } finally {
      closeSync(fd);
    }
  }
  parentPort.postMessage({ kind: 'stopped', input: inputs.length, offset: 0 });
}

function startReadAhead(what) {
  parser = createSegmentParser(what.options, deps);
  readAhead(what).catch((err) => parentPort.postMessage({ kind: 'error', error: String(err && err.message || err) }));
}

function send(input, item, spare, handOverBelow) {
  unfinished++;
  if (item.kind === 'tooLong') {
    parentPort.postMessage({ kind: 'too-long', input, bytes: item.bytes, firstLineOfInput: item.firstLineOfInput });
    return;
  }
  const job = { seq: -1, data: item.data, terminated: item.terminated, firstLineOfInput: item.firstLineOfInput };
  if (adopted && unfinished <= handOverBelow) {
    parentPort.postMessage({ kind: 'raw', input, job }, [item.data.buffer]);
    return;
  }
  const result = parser.parse(job);
  result.data = new Uint8Array(0);
  spare.push(Buffer.from(item.data.buffer));
  parentPort.postMessage({ kind: 'segment', input, result }, resultBuffers(result));
}

parentPort.on('message', (message) => {
  if (message.kind === 'stop') {
    stopReading = true;
    wake();
    return;
  }
  if (message.kind === 'adopted') {
    adopted = true;
    return;
  }
  if (message.kind === 'finished') {
    unfinished--;
    wake();
    return;
  }
  if (parser === undefined) {
    if (message.kind === 'read-ahead') {
      startReadAhead(message.readAhead);
    } else {
      parser = createSegmentParser(message, deps);
    }
    return;
  }
  let result;
  try {
    result = parser.parse(message);
  } catch (err) {
    parentPort.postMessage({ seq: message.seq, error: err instanceof Error ? err.message : String(err) });
    return;
  }
  parentPort.postMessage(result, [result.data.buffer, ...resultBuffers(result)]);
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
  readAhead?: ReadAhead;
  /** Settles once the thread has loaded its modules, or has failed or exited. */
  booted: Promise<void>;
  /** Where its messages go; until someone takes the worker, they wait in `backlog`. */
  handle: (message: WorkerMessage) => void;
  backlog: WorkerMessage[];
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

let source: string | undefined;

function spawn(): PoolWorker {
  source ??= parserWorkerSource();
  const worker = new Worker(source, { eval: true });
  let markBooted = (): void => undefined;
  const entry: PoolWorker = {
    worker,
    online: false,
    queued: 0,
    booted: new Promise<void>((resolve) => (markBooted = resolve)),
    handle: (message) => entry.backlog.push(message),
    backlog: [],
  };
  worker.once('online', () => (entry.online = true));
  worker.once('exit', markBooted);
  worker.on('error', (err) => {
    entry.error ??= err;
    markBooted();
  });
  // 'booted': the thread has loaded the modules it needs (see holdFlagsUntil in sqljs.ts).
  worker.on('message', (message: WorkerMessage | { kind: 'booted' }) => {
    if ('kind' in message && message.kind === 'booted') markBooted();
    else entry.handle(message);
  });
  return entry;
}

/** Started ahead of time (see prestartParserThreads), not in use yet. */
const prestarted: PoolWorker[] = [];

/**
 * Where bin/run.js leaves the parser thread it started before loading the CLI: a PoolWorker it
 * builds by hand (it runs before any of this code is loaded), the way spawn() does.
 */
export const EARLY_PARSER = Symbol.for('origin.earlyParserWorker');

/**
 * Boots the parser threads now, before a command needs them (the CLI does for ingest, so they
 * boot on a free core while it loads), the first one reading ahead if told what to read. They do
 * not keep the process alive. A thread bin/run.js started even earlier (dist/ingest-reader.cjs,
 * which works out the same read-ahead from the same arguments) is taken as the first. Returns
 * each thread's `booted`: it settles once the thread has loaded its modules.
 */
export function prestartParserThreads(readAhead?: ReadAhead): Promise<void>[] {
  const { count } = parserThreads();
  const holder = globalThis as { [EARLY_PARSER]?: PoolWorker };
  const early = holder[EARLY_PARSER];
  delete holder[EARLY_PARSER];
  if (early && prestarted.length === 0 && count > 0) {
    if (readAhead) early.readAhead = readAhead;
    prestarted.push(early);
  } else if (early) {
    void early.worker.terminate();
  }
  while (prestarted.length < count) {
    const entry = spawn();
    entry.worker.unref();
    if (readAhead && prestarted.length === 0) {
      entry.readAhead = readAhead;
      entry.worker.postMessage({ kind: 'read-ahead', readAhead });
    }
    prestarted.push(entry);
  }
  return prestarted.map((entry) => entry.booted);
}

function sameOptions(a: SegmentParserOptions, b: SegmentParserOptions): boolean {
  return (
    a.format === b.format &&
    a.contentField === b.contentField &&
    a.sourceField === b.sourceField &&
    a.licenseField === b.licenseField &&
    a.maxLineBytes === b.maxLineBytes &&
    a.skipInvalid === b.skipInvalid
  );
}

export class ParsePool {
  private inline: SegmentParser | undefined;
  private readonly workers: PoolWorker[] = [];
  private closing = false;

  constructor(
    private readonly options: SegmentParserOptions,
    private readonly onResult: (parser: ParserId, result: SegmentResult) => void,
    private readonly onError: (err: Error) => void,
  ) {
    // A worker that read ahead with other options or inputs is of no use.
    for (let i = prestarted.length - 1; i >= 0; i--) {
      const readAhead = prestarted[i].readAhead;
      if (readAhead && !sameOptions(readAhead.options, options)) {
        void prestarted.splice(i, 1)[0].worker.terminate();
      }
    }
  }

  get threaded(): boolean {
    return this.workers.length > 0;
  }

  /**
   * Takes over the worker that read ahead, if it read exactly these inputs: every message it
   * sent and sends goes to `onMessage`, in order (as parser 1), until 'stopped'. onMessage must
   * finish each segment at once (record it, or parse a 'raw' one with parseInline and record
   * it): the worker counts them as finished when it returns. stop() has it stop soon.
   * Undefined if no worker read these inputs ahead.
   */
  adoptReadAhead(
    inputs: readonly string[],
    onMessage: (message: ReadAheadMessage) => void,
  ): { stop(): void } | undefined {
    const index = prestarted.findIndex((e) => e.readAhead);
    if (index === -1) return undefined;
    const entry = prestarted.splice(index, 1)[0];
    const wanted = entry.readAhead as ReadAhead;
    if (wanted.inputs.length !== inputs.length || wanted.inputs.some((p, i) => p !== inputs[i])) {
      void entry.worker.terminate();
      return undefined;
    }
    this.attach(entry, onMessage);
    entry.worker.postMessage({ kind: 'adopted' });
    return { stop: () => entry.worker.postMessage({ kind: 'stop' }) };
  }

  /** From now on, segments go to `count` workers, and to the main thread while they are busy. */
  startWorkers(count: number): void {
    while (this.workers.length < count) {
      const entry = prestarted.shift() ?? spawn();
      this.attach(entry);
      entry.worker.postMessage(this.options);
    }
  }

  private attach(entry: PoolWorker, onReadAhead?: (message: ReadAheadMessage) => void): void {
    const id = this.workers.length + 1;
    entry.worker.ref();
    if (entry.error) this.onError(entry.error);
    entry.worker.on('error', (err) => this.onError(err));
    entry.worker.on('exit', (code) => {
      if (!this.closing) this.onError(new Error(`a parser thread stopped (exit code ${code})`));
    });
    entry.handle = (message) => {
      if ('kind' in message) {
        if (message.kind === 'error') this.onError(new Error(message.error));
        else onReadAhead?.(message);
        if (message.kind === 'segment' || message.kind === 'raw' || message.kind === 'too-long') {
          // Handled (onReadAhead records or parses it at once): the reader may go on.
          entry.worker.postMessage({ kind: 'finished' });
        }
        return;
      }
      entry.queued--;
      if ('error' in message) this.onError(new Error(message.error));
      else this.onResult(id, message);
    };
    this.workers.push(entry);
    for (const message of entry.backlog.splice(0)) entry.handle(message);
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
    this.parseInline(job);
  }

  /** Parses a segment on the main thread; the result goes to onResult at once. */
  parseInline(job: SegmentJob): void {
    this.inline ??= createSegmentParser(this.options, parserDeps);
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
