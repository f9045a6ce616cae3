/**
 * `origin ingest`: a stream of records → fingerprints → samples, batches and the session tree.
 * What was observed is committed at checkpoints (every --checkpoint-every) and at the end, each a
 * complete, verifiable state of the session; the writer lock is held only while committing. It
 * observes and never changes the data: with a tee, every input byte is passed on unchanged, in
 * order, even when recording fails.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { Readable, Writable, pipeline } from 'node:stream';
import { compareCodeUnits } from '../compare';
import { UsageError } from '../errors';
import { leafHash, toHex } from '../merkle';
import { DecompressionError, MAGIC_BYTES, decompressor, detectCompression } from './decompress';
import { FramedItem, LineFramer } from './frame';
import { STDIN, SourceFrom, expandInputs } from './inputs';
import { TarError, tarMembers } from './tar';
import { ParsePool, ParserId, parserThreads } from './pool';
import { Recorder, RecordedTotals, UNKNOWN_LICENSE } from './recorder';
import {
  InputFormat,
  InvalidLine,
  RecordOptions,
  RecordSelector,
  SegmentResult,
  recordFields,
} from './parse';
import { RowError, RowFormat, csvRows } from './rows';
import { parquetRows } from './parquet';
import { fingerprint } from '../samples/fingerprint';
import { SessionRow, SessionStatus, assertOpen, getSession } from '../sessions/session';
import { Store } from '../store/store';
import { CheckpointPolicy, DEFAULT_CHECKPOINTS, checkpointTimer } from './checkpoints';

export const DEFAULT_BATCH_SIZE = 1024;
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Input is read, and parsed, in segments of whole lines of about this size. */
const SEGMENT_BYTES = 1 << 18;
/** Session metadata naming the field precomputed fingerprints came from (--fingerprint-field). */
export const PRECOMPUTED_METADATA_KEY = 'origin.precomputed_fingerprints';
const SKIPPED_LINES_SHOWN = 10;
/** Segments parsed or being parsed but not yet recorded; bounds memory and keeps the order cheap. */
const MAX_IN_FLIGHT = 10;
/** At most this many records are made room for ahead of time (32 bytes each and more). */
const MAX_RESERVED_RECORDS = 4 << 20;
/** Page cache for a commit; memory is only taken as pages are used. */
const INGEST_CACHE_KIB = 256 * 1024;
/** Below this much input, starting worker threads costs more than it saves. */
const WORKER_MIN_BYTES = 4 << 20;

/** Lines (jsonl, text), rows (csv, tsv, parquet), or one sample per file or per tar member. */
export type IngestFormat = InputFormat | RowFormat | 'parquet' | 'file' | 'tar';
export const INGEST_FORMATS: readonly IngestFormat[] = [
  'jsonl',
  'text',
  'csv',
  'tsv',
  'parquet',
  'file',
  'tar',
];

export interface IngestOptions extends Omit<RecordOptions, 'format'> {
  format: IngestFormat;
  /** File and directory paths; '-' or none means stdin. */
  inputs: readonly string[];
  /** What names a file's source when `source` is not given (default: its path). */
  sourceFrom?: SourceFrom;
  stdin: Readable;
  source?: string;
  license?: string;
  batchSize: number;
  maxLineBytes: number;
  /** Append to this open session (id or unique prefix); otherwise a new one is created and completed. */
  session?: string;
  /** When to commit what was observed so far, besides at the end. */
  checkpoints?: CheckpointPolicy;
  skipInvalid: boolean;
  /** Where --tee copies every input byte. */
  tee?: Writable;
  /** Aborted on SIGINT/SIGTERM: what was observed is recorded and the session marked interrupted. */
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestProgress {
  records: number;
  inputBytes: number;
  elapsedMs: number;
}

export interface SkippedLine {
  input: string;
  line: number;
  reason: string;
}

export interface IngestSummary {
  session_id: string;
  session_status: string;
  session_root: string;
  /** SPEC §2.2: the session head after this ingest's last commit. */
  session_head: string;
  session_records: number;
  records: number;
  distinct: number;
  duplicates: number;
  already_known: number;
  new_samples: number;
  bytes: number;
  input_bytes: number;
  batches: number;
  sources: { source: string; license: string; records: number; bytes: number }[];
  skipped: { count: number; first_lines: SkippedLine[] };
  interrupted: boolean;
  /** Commits made, the last one included. */
  checkpoints: number;
  /** The longest any commit waited for another writer's lock, and the longest commit. */
  lock_waited_ms_max: number;
  commit_ms_max: number;
  warnings: string[];
  elapsed_ms: number;
  records_per_second: number;
  mb_per_second: number;
}

interface InputFailure {
  input: string;
  line: number;
  /** Where in the input, when not a line: "member 3". */
  at?: string;
  reason: string;
}

/** Bad input found while reading an input (not in one record): where, and what. */
class BadInput extends Error {
  constructor(
    readonly at: string | undefined,
    reason: string,
    readonly line?: number,
  ) {
    super(reason);
  }
}

/** Formats whose records have fields (--content-field and the like). */
const FIELD_FORMATS: readonly IngestFormat[] = ['jsonl', 'csv', 'tsv', 'parquet'];

function validateOptions(options: IngestOptions): void {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new UsageError(`--batch-size must be a positive whole number, got ${options.batchSize}`);
  }
  if (!Number.isInteger(options.maxLineBytes) || options.maxLineBytes < 1) {
    throw new UsageError(
      `--max-line-bytes must be a positive whole number, got ${options.maxLineBytes}`,
    );
  }
  const contentFields = options.contentFields ?? [];
  if (
    !FIELD_FORMATS.includes(options.format) &&
    (contentFields.length > 0 ||
      options.fingerprintField ||
      options.sourceField ||
      options.licenseField)
  ) {
    throw new UsageError(
      `--content-field, --fingerprint-field, --source-field and --license-field need records with fields (--format jsonl, csv, tsv or parquet), not --format ${options.format}`,
      options.format === 'text'
        ? 'text lines have no fields'
        : 'each file or member is one sample, fingerprinted as its bytes',
    );
  }
  if (options.fingerprintField !== undefined && contentFields.length > 0) {
    throw new UsageError(
      '--fingerprint-field and --content-field exclude each other',
      'a precomputed fingerprint replaces hashing the content',
    );
  }
  const repeated = contentFields.find((f, i) => contentFields.indexOf(f) !== i);
  if (repeated !== undefined) throw new UsageError(`--content-field ${repeated} is given twice`);
  // Malformed paths are usage errors here, before any parser thread starts.
  recordFields({ ...options, format: 'jsonl' });
}

async function writeTee(tee: Writable, chunk: Buffer): Promise<void> {
  if (!tee.write(chunk)) {
    await new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        tee.off('error', onError);
        resolve();
      };
      const onError = (err: Error): void => {
        tee.off('drain', onDrain);
        reject(err);
      };
      tee.once('drain', onDrain);
      tee.once('error', onError);
    });
  }
}

/**
 * Records every input into one session, committing at checkpoints and at the end. Bad input
 * (exit 2) before the first checkpoint leaves the store unchanged; after it, the records before
 * the bad line are committed too and the error says so (a session this run created is marked
 * failed). The store must be opened in 'commits' mode.
 */
export async function ingest(store: Store, options: IngestOptions): Promise<IngestSummary> {
  validateOptions(options);
  const paths = options.inputs.length > 0 ? options.inputs : [STDIN];
  const { inputs, bytes: fileBytes } = expandInputs(paths, options.sourceFrom ?? 'path');
  const lineFormat = options.format === 'jsonl' || options.format === 'text';
  if (options.format === 'parquet') {
    const stream = inputs.find((i) => i.kind !== 'file');
    if (stream) {
      throw new UsageError(
        `--format parquet reads files, and ${stream.name} is a stream`,
        'Parquet is read by random access (its index is at the end): write it to a file first',
      );
    }
    if (options.tee) {
      throw new UsageError(
        '--tee cannot pass Parquet on',
        'Parquet is read by random access, not in order',
      );
    }
  }
  if (paths.filter((i) => i === STDIN).length > 1)
    throw new UsageError('stdin ("-") can be read only once');

  const started = Date.now();
  // A page cache that holds what one commit writes (SQLite's default is 2 MiB): spilling dirty
  // pages into sql.js's in-memory file mid-transaction costs more than keeping them.
  store.db.exec(`PRAGMA cache_size = -${INGEST_CACHE_KIB}`);
  let appendTo: SessionRow | undefined;
  if (options.session !== undefined) {
    appendTo = getSession(store, options.session);
    assertOpen(appendTo);
  }
  const recorder = new Recorder(
    options.batchSize,
    appendTo,
    options.fingerprintField === undefined
      ? {}
      : { [PRECOMPUTED_METADATA_KEY]: options.fingerprintField },
  );
  const skipped: SkippedLine[] = [];
  let skippedCount = 0;
  let skippedCommitted = 0;
  let failure: InputFailure | undefined;
  let inputBytes = 0;
  let teeError: Error | undefined;

  // Commits run one after another; a checkpoint requested while one runs waits for it.
  let commits = 0;
  let lastTotals: RecordedTotals | undefined;
  let commitChain: Promise<void> = Promise.resolve();
  let commitFailure: { error: unknown } | undefined;
  const commit = (last: boolean, endStatus?: SessionStatus): Promise<void> => {
    commitChain = commitChain.then(async () => {
      if (commitFailure) return;
      try {
        const skippedNow = skippedCount - skippedCommitted;
        lastTotals = await store.commit(() =>
          recorder.commit(store, { skipped: skippedNow, endStatus, last }),
        );
        skippedCommitted += skippedNow;
        commits++;
      } catch (err) {
        commitFailure = { error: err };
      }
    });
    return commitChain;
  };
  const throwIfCommitFailed = (): void => {
    if (commitFailure) throw commitFailure.error;
  };
  const policy = options.checkpoints ?? DEFAULT_CHECKPOINTS;
  let checkpointRunning = false;
  // The stream being read, if any: at a checkpoint its whole lines are parsed even if they do
  // not fill a segment yet, so a slow pipe's records are committed too.
  let activeStream: { framer: LineFramer; input: InputState } | undefined;
  const checkpoint = (): void => {
    if (checkpointRunning || failure) return;
    checkpointRunning = true;
    const begun = Date.now();
    void (async () => {
      try {
        const stream = activeStream;
        if (stream) await framed(() => stream.framer.flush(), stream.input);
        await settle(0);
        if (recorder.pendingCount > 0 && !failure) {
          await commit(false);
          timer.committed(Date.now() - begun);
        }
      } catch {
        // What failed is in `fatal` or `commitFailure`, and reported by the reading loop.
      } finally {
        checkpointRunning = false;
      }
    })();
  };
  const timer = checkpointTimer(policy, checkpoint);

  const reject = (input: InputState, line: number, reason: string): void => {
    if (options.skipInvalid) {
      skippedCount++;
      if (skipped.length < SKIPPED_LINES_SHOWN) skipped.push({ input: input.name, line, reason });
      return;
    }
    // Reading stops (with a tee, the data keeps flowing); the failure is reported at the end.
    failure = { input: input.name, line, reason };
  };

  // Every parser numbers (source, license) labels on its own: [source, license, …] by label id.
  const labelTables: (string | null)[][] = [];
  let originIds = new Uint32Array(1024);
  let reserved = false;

  // Segment buffers go round: framer → parser → back here → framer.
  const spareBuffers: Buffer[] = [];

  /** Records one parsed segment; segments arrive here strictly in input order. */
  const record = (parser: ParserId, result: SegmentResult, input: InputState): void => {
    if (result.data.buffer.byteLength >= SEGMENT_BYTES && spareBuffers.length < MAX_IN_FLIGHT) {
      spareBuffers.push(Buffer.from(result.data.buffer));
    }
    const labels = (labelTables[parser] ??= []);
    for (const value of result.newLabels) labels.push(value);
    // Nothing after a failing line is recorded.
    if (failure) return;
    const lineBase = input.lines;
    input.lines += result.lines;
    for (const f of result.failures) {
      reject(input, lineBase + f.line, f.reason);
      if (failure) break;
    }
    // A parser stops at a failing line: the records it returned all come before it.
    if (!reserved && result.count > 0) {
      // The set of fingerprints, sized once from the first segment's bytes per record.
      reserved = true;
      const bytesPerRecord = result.bytes / result.count;
      recorder.reserve(
        Math.min(MAX_RESERVED_RECORDS, Math.ceil((1.05 * fileBytes) / bytesPerRecord)),
      );
    }
    const cache = (input.origins[parser] ??= []);
    if (originIds.length < result.count) originIds = new Uint32Array(result.count);
    for (let i = 0; i < result.count; i++) {
      const label = result.labels[i];
      let id = cache[label];
      if (id === undefined) {
        id = recorder.originId(
          labels[2 * label] ?? input.defaultSource,
          labels[2 * label + 1] ?? input.defaultLicense,
        );
        cache[label] = id;
      }
      originIds[i] = id;
    }
    recorder.observeMany(result.fingerprints, result.leaves, result.sizes, originIds, result.count);
    timer.observed(recorder.pendingCount);
  };

  // Segments are numbered as they are cut and recorded in that order, whichever thread parsed them.
  const waiting = new Map<number, { parser: ParserId; result: SegmentResult }>();
  const segmentInput = new Map<number, InputState>();
  let submitted = 0;
  let recorded = 0;
  let fatal: { error: unknown } | undefined;
  // Everyone waiting in settle() (the reading loop, a checkpoint) is woken by each result.
  let sleepers: (() => void)[] = [];
  const wake = (): void => {
    const all = sleepers;
    sleepers = [];
    for (const resolve of all) resolve();
  };
  const onResult = (parser: ParserId, result: SegmentResult): void => {
    waiting.set(result.seq, { parser, result });
    try {
      for (let next = waiting.get(recorded); next; next = waiting.get(recorded)) {
        waiting.delete(recorded);
        const input = segmentInput.get(recorded) as InputState;
        segmentInput.delete(recorded);
        recorded++;
        if (!fatal) record(next.parser, next.result, input);
      }
    } catch (err) {
      fatal ??= { error: err };
    }
    wake();
  };
  const onError = (err: Error): void => {
    fatal ??= { error: err };
    wake();
  };
  const pool = new ParsePool(
    {
      // Whole-unit formats start no parser: the parser's format is then never used.
      format: options.format === 'text' ? 'text' : 'jsonl',
      contentFields: options.contentFields,
      fingerprintField: options.fingerprintField,
      sourceField: options.sourceField,
      licenseField: options.licenseField,
      maxLineBytes: options.maxLineBytes,
      skipInvalid: options.skipInvalid,
    },
    onResult,
    onError,
  );
  const states: InputState[] = inputs.map((input) => {
    const name = input.name;
    return {
      name,
      defaultSource: options.source ?? input.source,
      defaultLicense: options.license ?? UNKNOWN_LICENSE,
      lines: 0,
      origins: [],
    };
  });

  const progress = (): void =>
    options.onProgress?.({
      records: recorder.recordCount,
      inputBytes,
      elapsedMs: Date.now() - started,
    });

  const threads = parserThreads();
  const workerMinBytes = threads.forced ? 0 : WORKER_MIN_BYTES;
  if (lineFormat && fileBytes >= workerMinBytes) pool.startWorkers(threads.count);
  let dispatchedBytes = 0;

  /** Waits until fewer than `limit` segments are unrecorded; throws what failed meanwhile. */
  const settle = async (limit: number): Promise<void> => {
    while (!fatal && submitted - recorded > limit) {
      await new Promise<void>((resolve) => sleepers.push(resolve));
    }
    if (fatal) throw fatal.error;
  };

  // Framer calls and their dispatch run one at a time, in order: a checkpoint's flush must not
  // overtake the segments of a chunk read before it.
  let framing: Promise<void> = Promise.resolve();
  const framed = (take: () => FramedItem[], input: InputState): Promise<void> => {
    const run = framing.then(() => dispatch(take(), input));
    framing = run.catch(() => undefined);
    return run;
  };

  const dispatch = async (items: FramedItem[], input: InputState): Promise<void> => {
    for (const item of items) {
      // After a failure (with --tee) the data still flows, but nothing more is parsed.
      if (failure) return;
      const seq = submitted++;
      segmentInput.set(seq, input);
      if (item.kind === 'tooLong') {
        onResult(0, tooLongResult(seq, item.bytes, options.maxLineBytes));
      } else {
        dispatchedBytes += item.data.length;
        if (dispatchedBytes >= workerMinBytes) pool.startWorkers(threads.count);
        pool.submit({
          seq,
          data: item.data,
          terminated: item.terminated,
          firstLineOfInput: item.firstLineOfInput,
        });
      }
      await settle(MAX_IN_FLIGHT - 1);
    }
  };

  const passThrough = async (bytes: Buffer): Promise<void> => {
    if (!options.tee || teeError) return;
    try {
      await writeTee(options.tee, bytes);
    } catch (err) {
      teeError = err as Error;
    }
  };

  /** Without a tee, reading stops at bad input or a failed commit; with one the data flows on. */
  const stopReading = (): boolean =>
    !options.tee && (failure !== undefined || commitFailure !== undefined);

  const readFile = async (path: string, input: InputState): Promise<void> => {
    const cannotRead = (err: unknown): UsageError =>
      new UsageError(
        `cannot read ${input.name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw cannotRead(err);
    }
    const framer = new LineFramer(options.maxLineBytes, SEGMENT_BYTES, spareBuffers);
    let position = 0;
    try {
      while (!options.signal?.aborted && !stopReading()) {
        const region = framer.space(SEGMENT_BYTES);
        let n: number;
        try {
          n = readSync(fd, region, 0, SEGMENT_BYTES, position);
        } catch (err) {
          throw cannotRead(err);
        }
        if (n === 0) break;
        position += n;
        inputBytes += n;
        // A copy: the segment's buffer moves to a parser thread.
        if (options.tee) await passThrough(Buffer.from(region.subarray(0, n)));
        await framed(() => framer.commit(n), input);
        progress();
        // Synchronous reads: let signal handlers and parser results in between.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await framed(() => (options.signal?.aborted ? framer.flush() : framer.end()), input);
    } finally {
      closeSync(fd);
    }
  };

  /** Records one sample read on this thread (a file, a tar member, a row), in input order. */
  const observeOne = (
    input: InputState,
    digest: Buffer,
    size: number,
    source: string | null = null,
    license: string | null = null,
  ): void => {
    if (failure) return;
    const id = recorder.originId(source ?? input.defaultSource, license ?? input.defaultLicense);
    recorder.observeMany(digest, leafHash(digest), [size], [id], 1);
    timer.observed(recorder.pendingCount);
  };
  let rowSelector: RecordSelector | undefined;
  /** Records one row (CSV, TSV, Parquet) as its fields select; a row lacking them is rejected. */
  const recordRow = (input: InputState, row: unknown, line: number): void => {
    const selector = (rowSelector ??= new RecordSelector({ ...options, format: 'jsonl' }));
    let record;
    try {
      record = selector.select(row);
    } catch (err) {
      if (!(err instanceof InvalidLine)) throw err;
      reject(input, line, err.reason);
      return;
    }
    if (record.fingerprint !== undefined) {
      observeOne(input, Buffer.from(record.fingerprint, 'hex'), 0, record.source, record.license);
    } else {
      const size = Buffer.byteLength(record.content, 'utf8');
      observeOne(input, fingerprint(record.content), size, record.source, record.license);
    }
  };

  /** Reads a Parquet file row group by row group. */
  const readParquet = async (path: string, input: InputState): Promise<void> => {
    try {
      for await (const { record, row } of parquetRows(path)) {
        input.lines = row;
        recordRow(input, record, row);
        if (stop()) break;
      }
    } catch (err) {
      if (err instanceof RowError) {
        failure ??= {
          input: input.name,
          line: err.line,
          at: `row ${err.line}`,
          reason: err.message,
        };
        return;
      }
      if (err instanceof UsageError || (fatal && err === fatal.error)) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${input.name}: ${code ?? (err as Error).message}`);
    }
    inputBytes += statSync(path).size;
    progress();
  };

  const stop = (): boolean => options.signal?.aborted === true || stopReading();

  /** Consumes an input's (decompressed) bytes as its format says. */
  const consume = async (
    chunks: AsyncIterable<Buffer>,
    input: InputState,
    framer: LineFramer | undefined,
  ): Promise<void> => {
    if (framer) {
      for await (const chunk of chunks) {
        await framed(() => framer.push(chunk), input);
        if (stop()) return;
      }
    } else if (options.format === 'file') {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        if (stop()) return;
      }
      input.lines++;
      observeOne(input, hash.digest(), size);
    } else if (options.format === 'csv' || options.format === 'tsv') {
      for await (const row of csvRows(chunks, options.format)) {
        input.lines = row.line;
        recordRow(input, row.record, row.line);
        if (stop()) return;
      }
    } else {
      for await (const member of tarMembers(chunks)) {
        if (!member.isFile) continue;
        const hash = createHash('sha256');
        let size = 0;
        for await (const chunk of member.data) {
          hash.update(chunk);
          size += chunk.length;
        }
        if (stop()) return;
        input.lines++;
        observeOne(input, hash.digest(), size);
      }
    }
  };

  /**
   * Reads a stream in its format: gzip/zstd are recognised by their first bytes and decompressed
   * (except for --format file, whose samples are the bytes as they are). With a tee the raw bytes
   * are passed on as they are read, and on to the end even after bad input.
   */
  const readStream = async (stream: Readable, input: InputState): Promise<void> => {
    const framer = lineFormat
      ? new LineFramer(options.maxLineBytes, SEGMENT_BYTES, spareBuffers)
      : undefined;
    if (framer) activeStream = { framer, input };
    // An interruption must not wait for the next chunk of a pipe that may never come.
    const destroy = (): void => {
      stream.destroy();
    };
    options.signal?.addEventListener('abort', destroy, { once: true });
    const raw = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    let readFailed = false;
    /** The next raw chunk, counted and passed on to the tee; undefined at the end. */
    const nextRaw = async (): Promise<Buffer | undefined> => {
      let next: IteratorResult<Buffer>;
      try {
        next = await raw.next();
      } catch (err) {
        readFailed = true;
        throw err;
      }
      if (next.done) return undefined;
      inputBytes += next.value.length;
      await passThrough(next.value);
      progress();
      return next.value;
    };
    async function* rawChunks(head: Buffer[], ended: boolean): AsyncGenerator<Buffer> {
      yield* head;
      if (ended) return;
      for (let chunk = await nextRaw(); chunk; chunk = await nextRaw()) yield chunk;
    }
    const sniff = options.format !== 'file';
    async function* decoded(): AsyncGenerator<Buffer> {
      const head: Buffer[] = [];
      let headBytes = 0;
      let ended = false;
      while (sniff && headBytes < MAGIC_BYTES) {
        const chunk = await nextRaw();
        if (chunk === undefined) {
          ended = true;
          break;
        }
        head.push(chunk);
        headBytes += chunk.length;
      }
      const compression = sniff ? detectCompression(Buffer.concat(head, headBytes)) : undefined;
      if (compression === undefined) {
        yield* rawChunks(head, ended);
        return;
      }
      yield* pipeline(
        Readable.from(rawChunks(head, ended), { objectMode: false }),
        decompressor(compression),
        () => {},
      ) as AsyncIterable<Buffer>;
    }

    let bad: BadInput | undefined;
    try {
      await consume(decoded(), input, framer);
    } catch (err) {
      if (err instanceof DecompressionError) bad = new BadInput(undefined, err.message);
      else if (err instanceof TarError) bad = new BadInput(`member ${err.member}`, err.message);
      else if (err instanceof RowError) bad = new BadInput(undefined, err.message, err.line);
      else if (err instanceof UsageError || (fatal && err === fatal.error)) throw err;
      else if (!options.signal?.aborted) {
        const code = (err as NodeJS.ErrnoException).code;
        const what = readFailed ? 'cannot read' : 'cannot decompress';
        throw new UsageError(`${what} ${input.name}: ${code ?? (err as Error).message}`);
      }
    } finally {
      options.signal?.removeEventListener('abort', destroy);
    }
    try {
      // With a tee the data flows to the end, whatever could be read of it.
      if ((bad || failure) && options.tee && !options.signal?.aborted) {
        while ((await nextRaw()) !== undefined);
      }
    } finally {
      await raw.return?.();
    }
    if (bad) {
      // The whole lines before the damage are records like any others; the rest is bad input.
      if (framer) await framed(() => framer.flush(), input);
      await settle(0);
      failure ??= {
        input: input.name,
        line: bad.line ?? input.lines + 1,
        at: bad.at,
        reason: bad.message,
      };
    } else if (framer) {
      await framed(() => (options.signal?.aborted ? framer.flush() : framer.end()), input);
    }
    activeStream = undefined;
  };

  try {
    for (let i = 0; i < inputs.length; i++) {
      if (options.signal?.aborted || stopReading()) break;
      const { kind, path } = inputs[i];
      if (options.format === 'parquet') await readParquet(path, states[i]);
      else if (kind === 'stdin') await readStream(options.stdin, states[i]);
      else if (kind === 'file' && lineFormat && !isCompressed(path, states[i].name)) {
        // Plain files of lines keep the fast path: read in place, no stream machinery.
        await readFile(path, states[i]);
      } else {
        await readStream(createReadStream(path, { highWaterMark: SEGMENT_BYTES }), states[i]);
      }
    }
    await settle(0);
  } finally {
    timer.stop();
    await pool.close();
    await commitChain;
  }
  progress();
  throwIfCommitFailed();

  const interrupted = options.signal?.aborted ?? false;
  const createdHere = appendTo === undefined;
  if (failure) {
    const where =
      failure.at === undefined
        ? `${failure.input}:${failure.line}: ${failure.reason}`
        : `${failure.input}: ${failure.at}: ${failure.reason}`;
    if (commits === 0) throw new UsageError(where, fixHint(failure.reason, options));
    // Checkpoints were committed: the records before the bad line are kept, and said so.
    await commit(true, createdHere ? 'failed' : undefined);
    throwIfCommitFailed();
    const kept = `${recorder.recordCount} records before it were recorded in session ${recorder.sessionUid}`;
    throw new UsageError(
      `${where} (${kept}${createdHere ? ', now marked failed' : ', which stays open'})`,
      fixHint(failure.reason, options),
    );
  }
  if (recorder.recordCount === 0 && !interrupted) {
    throw new UsageError(
      skippedCount > 0
        ? `no valid records in ${describeInputs(states)}: all ${skippedCount} lines were invalid; nothing was recorded`
        : `no records in ${describeInputs(states)}; nothing was recorded`,
      skippedCount > 0
        ? 'see the skipped lines above'
        : 'check the input, --format and the pipe feeding origin',
    );
  }
  const warnings: string[] = [];
  if (teeError) {
    // The reader downstream went away; what reached us is still recorded.
    warnings.push(
      `--tee output failed (${teeError.message}); the input was still read and recorded`,
    );
  }
  const endStatus: SessionStatus | undefined = interrupted
    ? 'interrupted'
    : createdHere
      ? 'completed'
      : undefined;
  await commit(true, endStatus);
  throwIfCommitFailed();
  const final = getSession(store, recorder.sessionUid);
  return summarize(final, lastTotals as RecordedTotals, recorder, {
    skippedCount,
    skipped,
    inputBytes,
    started,
    interrupted,
    checkpoints: commits,
    commitTimes: store.commitTimes,
    warnings,
  });
}

/** Whether a file starts like gzip or zstd data. */
function isCompressed(path: string, name: string): boolean {
  const head = Buffer.alloc(MAGIC_BYTES);
  let n: number;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, MAGIC_BYTES, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new UsageError(
      `cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return detectCompression(head.subarray(0, n)) !== undefined;
}

function describeInputs(states: readonly InputState[]): string {
  return states.map((s) => s.name).join(', ');
}

interface InputState {
  name: string;
  defaultSource: string;
  defaultLicense: string;
  /** Lines recorded so far, for file:line in messages. */
  lines: number;
  /** Per parser: label id → origin id, under this input's default source and license. */
  origins: number[][];
}

/** A line the framer found too long, as if a parser had rejected it. */
function tooLongResult(seq: number, bytes: number, maxLineBytes: number): SegmentResult {
  return {
    seq,
    data: new Uint8Array(0),
    lines: 1,
    bytes: 0,
    count: 0,
    fingerprints: new Uint8Array(0),
    leaves: new Uint8Array(0),
    sizes: new Float64Array(0),
    labels: new Uint32Array(0),
    newLabels: [],
    failures: [
      { line: 1, reason: `line is ${bytes} bytes, over --max-line-bytes ${maxLineBytes}` },
    ],
  };
}

function fixHint(reason: string, options: IngestOptions): string {
  if (reason.includes('data is truncated or corrupt'))
    return 'the input ends early or is damaged: test it (gzip -t, zstd -t, tar -tf) and fetch or make it again';
  const rows = options.format === 'csv' || options.format === 'tsv' || options.format === 'parquet';
  if (rows && /^(CSV|TSV|Parquet): |^column "|^not valid UTF-8/.test(reason))
    return options.format === 'parquet'
      ? 'fix the file: it must be a whole Parquet file whose values JSON can hold'
      : 'fix the file: it must be UTF-8, with a header row of distinct names and as many columns in every row';
  if (reason.startsWith('no content field'))
    return 'check --content-field, or use --skip-invalid to record the other lines';
  if (reason.includes('--max-line-bytes'))
    return 'raise --max-line-bytes, or use --skip-invalid to record the other lines';
  if (options.format === 'jsonl' && reason.startsWith('invalid JSON')) {
    return 'fix the line, use --format text for plain text, or --skip-invalid to record the other lines';
  }
  return 'fix the line, or use --skip-invalid to record the other lines';
}

function summarize(
  session: SessionRow,
  totals: RecordedTotals,
  recorder: Recorder,
  run: {
    skippedCount: number;
    skipped: SkippedLine[];
    inputBytes: number;
    started: number;
    interrupted: boolean;
    checkpoints: number;
    commitTimes: { waitedMsMax: number; heldMsMax: number };
    warnings: string[];
  },
): IngestSummary {
  const elapsedMs = Math.max(1, Date.now() - run.started);
  return {
    session_id: session.uid,
    session_status: session.status,
    session_root: toHex(totals.root),
    session_head: toHex(totals.head),
    session_records: totals.sessionSize,
    records: totals.records,
    distinct: totals.distinct,
    duplicates: totals.duplicates,
    already_known: totals.alreadyKnown,
    new_samples: totals.newSamples,
    bytes: totals.bytes,
    input_bytes: run.inputBytes,
    batches: totals.batches,
    sources: recorder
      .originTotals()
      .sort(
        (a, b) =>
          b.records - a.records ||
          compareCodeUnits(a.source, b.source) ||
          compareCodeUnits(a.license, b.license),
      ),
    skipped: { count: run.skippedCount, first_lines: run.skipped },
    interrupted: run.interrupted,
    checkpoints: run.checkpoints,
    lock_waited_ms_max: run.commitTimes.waitedMsMax,
    commit_ms_max: run.commitTimes.heldMsMax,
    warnings: run.warnings,
    elapsed_ms: elapsedMs,
    records_per_second: Math.round((totals.records * 1000) / elapsedMs),
    mb_per_second: Number((run.inputBytes / 1e6 / (elapsedMs / 1000)).toFixed(2)),
  };
}
