/**
 * `origin ingest`: a stream of records → fingerprints → samples, batches and the session tree,
 * in one transaction. It observes and never changes the data: with a tee, every input byte is
 * passed on unchanged, in order, even when recording fails.
 */
import { createReadStream, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { UsageError } from './errors';
import { fingerprint, toHex } from './fingerprint';
import { LineSplitter } from './lines';
import { InvalidLineError, RecordOptions, RecordParser } from './record';
import { Recorder, RecordedTotals, UNKNOWN_LICENSE } from './recorder';
import { SessionRow, assertOpen, createSession, getSession } from './session';
import { Store } from './store';

export const DEFAULT_BATCH_SIZE = 1024;
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const STDIN = '-';
const SKIPPED_LINES_SHOWN = 10;

export interface IngestOptions extends RecordOptions {
  /** File paths; '-' or none means stdin. */
  inputs: readonly string[];
  stdin: Readable;
  source?: string;
  license?: string;
  batchSize: number;
  maxLineBytes: number;
  /** Append to this open session (id or unique prefix); otherwise a new one is created and completed. */
  session?: string;
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
  warnings: string[];
  elapsed_ms: number;
  records_per_second: number;
  mb_per_second: number;
}

interface InputFailure {
  input: string;
  line: number;
  reason: string;
}

function inputName(input: string): string {
  return input === STDIN ? 'stdin' : input;
}

function checkInputs(inputs: readonly string[]): void {
  for (const input of inputs) {
    if (input === STDIN) continue;
    let isFile = false;
    try {
      isFile = statSync(input).isFile();
    } catch (err) {
      throw new UsageError(
        `cannot read input ${input}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        'check the file path',
      );
    }
    if (!isFile) throw new UsageError(`input ${input} is not a file`);
  }
}

function validateOptions(options: IngestOptions): void {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new UsageError(`--batch-size must be a positive whole number, got ${options.batchSize}`);
  }
  if (!Number.isInteger(options.maxLineBytes) || options.maxLineBytes < 1) {
    throw new UsageError(
      `--max-line-bytes must be a positive whole number, got ${options.maxLineBytes}`,
    );
  }
  if (
    options.format === 'text' &&
    (options.contentField || options.sourceField || options.licenseField)
  ) {
    throw new UsageError(
      '--content-field, --source-field and --license-field need --format jsonl',
      'text lines have no fields',
    );
  }
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

/** Records every input into one session. Throws UsageError (exit 2) on bad input, leaving the store unchanged. */
export async function ingest(store: Store, options: IngestOptions): Promise<IngestSummary> {
  validateOptions(options);
  const inputs = options.inputs.length > 0 ? options.inputs : [STDIN];
  checkInputs(inputs);
  if (inputs.filter((i) => i === STDIN).length > 1)
    throw new UsageError('stdin ("-") can be read only once');

  const started = Date.now();
  store.db.exec('BEGIN');
  try {
    const summary = await ingestInTransaction(store, options, inputs, started);
    store.db.exec('COMMIT');
    store.markChanged();
    return summary;
  } catch (err) {
    store.db.exec('ROLLBACK');
    throw err;
  }
}

async function ingestInTransaction(
  store: Store,
  options: IngestOptions,
  inputs: readonly string[],
  started: number,
): Promise<IngestSummary> {
  let session: SessionRow;
  if (options.session !== undefined) {
    session = getSession(store, options.session);
    assertOpen(session);
  } else {
    session = createSession(store);
  }
  const recorder = new Recorder(store, session, options.batchSize);
  const parser = new RecordParser(options);
  const origins = new Map<number, { source: string; license: string }>();
  const skipped: SkippedLine[] = [];
  let skippedCount = 0;
  let failure: InputFailure | undefined;
  let inputBytes = 0;
  let teeError: Error | undefined;

  const originOf = (source: string, license: string): number => {
    const id = recorder.originId(source, license);
    if (!origins.has(id)) origins.set(id, { source, license });
    return id;
  };

  for (const input of inputs) {
    if (options.signal?.aborted) break;
    const name = inputName(input);
    const defaultSource = options.source ?? name;
    const defaultLicense = options.license ?? UNKNOWN_LICENSE;
    let firstLine = true;

    const reject = (line: number, reason: string): void => {
      if (options.skipInvalid) {
        skippedCount++;
        if (skipped.length < SKIPPED_LINES_SHOWN) skipped.push({ input: name, line, reason });
        return;
      }
      failure = { input: name, line, reason };
      // With a tee the data keeps flowing; the failure is reported once it has.
      if (!options.tee)
        throw new UsageError(`${name}:${line}: ${reason}`, fixHint(reason, options));
    };

    const splitter = new LineSplitter(options.maxLineBytes, {
      line: (content, lineNo) => {
        const first = firstLine;
        firstLine = false;
        if (failure) return;
        let record;
        try {
          record = parser.parse(content, first);
        } catch (err) {
          if (err instanceof InvalidLineError) return reject(lineNo, err.message);
          throw err;
        }
        if (!record) return;
        const size =
          typeof record.content === 'string'
            ? Buffer.byteLength(record.content)
            : record.content.length;
        recorder.observe(
          fingerprint(record.content),
          size,
          originOf(record.source ?? defaultSource, record.license ?? defaultLicense),
        );
      },
      tooLong: (lineNo, bytes) => {
        firstLine = false;
        if (failure) return;
        reject(lineNo, `line is ${bytes} bytes, over --max-line-bytes ${options.maxLineBytes}`);
      },
    });

    const stream =
      input === STDIN ? options.stdin : createReadStream(input, { highWaterMark: 1 << 20 });
    // An interruption must not wait for the next chunk of a pipe that may never come.
    const stopReading = (): void => {
      stream.destroy();
    };
    options.signal?.addEventListener('abort', stopReading, { once: true });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        inputBytes += chunk.length;
        if (options.tee && !teeError) {
          try {
            await writeTee(options.tee, chunk);
          } catch (err) {
            teeError = err as Error;
          }
        }
        splitter.push(chunk);
        options.onProgress?.({
          records: recorder.recordCount,
          inputBytes,
          elapsedMs: Date.now() - started,
        });
        if (options.signal?.aborted) break;
      }
      if (!options.signal?.aborted) splitter.end();
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if (options.signal?.aborted) continue;
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read ${name}: ${code ?? (err as Error).message}`);
    } finally {
      options.signal?.removeEventListener('abort', stopReading);
      if (input !== STDIN) stream.destroy();
    }
  }

  if (failure) {
    throw new UsageError(
      `${failure.input}:${failure.line}: ${failure.reason}`,
      fixHint(failure.reason, options),
    );
  }
  const warnings: string[] = [];
  if (teeError) {
    // The reader downstream went away; what reached us is still recorded.
    warnings.push(
      `--tee output failed (${teeError.message}); the input was still read and recorded`,
    );
  }

  const interrupted = options.signal?.aborted ?? false;
  const endStatus = interrupted
    ? 'interrupted'
    : options.session === undefined
      ? 'completed'
      : undefined;
  const totals = recorder.finish(skippedCount, endStatus);
  const final = getSession(store, session.uid);
  return summarize(final, totals, origins, recorder, {
    skippedCount,
    skipped,
    inputBytes,
    started,
    interrupted,
    warnings,
  });
}

function fixHint(reason: string, options: IngestOptions): string {
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
  origins: Map<number, { source: string; license: string }>,
  recorder: Recorder,
  run: {
    skippedCount: number;
    skipped: SkippedLine[];
    inputBytes: number;
    started: number;
    interrupted: boolean;
    warnings: string[];
  },
): IngestSummary {
  const elapsedMs = Math.max(1, Date.now() - run.started);
  const perOrigin = recorder.originTotals();
  return {
    session_id: session.uid,
    session_status: session.status,
    session_root: toHex(totals.root),
    session_records: totals.sessionSize,
    records: totals.records,
    distinct: totals.distinct,
    duplicates: totals.duplicates,
    already_known: totals.alreadyKnown,
    new_samples: totals.newSamples,
    bytes: totals.bytes,
    input_bytes: run.inputBytes,
    batches: totals.batches,
    sources: [...perOrigin]
      .map(([id, t]) => ({
        ...(origins.get(id) as { source: string; license: string }),
        records: t.records,
        bytes: t.bytes,
      }))
      .sort((a, b) => b.records - a.records || a.source.localeCompare(b.source)),
    skipped: { count: run.skippedCount, first_lines: run.skipped },
    interrupted: run.interrupted,
    warnings: run.warnings,
    elapsed_ms: elapsedMs,
    records_per_second: Math.round((totals.records * 1000) / elapsedMs),
    mb_per_second: Number((run.inputBytes / 1e6 / (elapsedMs / 1000)).toFixed(2)),
  };
}
