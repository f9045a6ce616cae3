/**
 * Where an export goes: stdout, or a file written atomically (a temp file in the same directory,
 * fsynced, renamed over the target at the end, so a crash or an error never leaves a torn file).
 * Writes honour backpressure, so a streamed export holds one chunk in memory, not the output.
 */
import { closeSync, createWriteStream, fsyncSync, openSync, renameSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import { syncDirectory, tempPathBeside } from '../../store/atomic-write';
import { OriginError } from '../../errors';
import { cannotWrite, outputKind } from './output-path';

export interface Sink {
  /** Writes a chunk (text is written as UTF-8); resolves once the destination can take more. */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Bytes written so far. */
  readonly bytes: number;
  /** True once the reader went away (stdout closed: `… | head`): stop producing. */
  readonly closed: boolean;
}

class StreamSink implements Sink {
  bytes = 0;
  closed = false;
  private failure: Error | undefined;

  constructor(private readonly stream: Writable) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else this.failure = err;
    });
  }

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed || chunk.length === 0) return;
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    if (this.stream.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
    if (this.failure) throw this.failure;
  }

  /** Resolves when everything written has been handed to the destination. */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed) return;
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
}

/** Runs `produce` against stdout, with backpressure; a closed pipe just stops the output. */
export async function toStdout<T>(produce: (sink: Sink) => Promise<T>): Promise<T> {
  const sink = new StreamSink(process.stdout);
  const result = await produce(sink);
  // Never end process.stdout itself; wait for what was written to drain instead.
  if (!sink.closed && process.stdout.writableNeedDrain) {
    await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
  }
  return result;
}

/**
 * Runs `produce` against the output file `path` (-o): atomically for a file, directly for a
 * device or FIFO; refuses what must not be replaced (see outputKind). `db` is the database path.
 */
export async function toOutputFile<T>(
  path: string,
  db: string | undefined,
  produce: (sink: Sink) => Promise<T>,
): Promise<T> {
  if (outputKind(path, db) === 'file') return toFileAtomic(path, produce);
  const stream = createWriteStream(path, { flags: 'a', highWaterMark: 1 << 20 });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw cannotWrite(path, err);
  }
  const sink = new StreamSink(stream);
  try {
    const result = await produce(sink);
    await sink.finish();
    return result;
  } catch (err) {
    stream.destroy();
    throw err;
  }
}

/**
 * Runs `produce` against a temp file beside `path`, then fsyncs it and renames it over `path`.
 * If `produce` throws, the temp file is removed and `path` is left as it was.
 */
export async function toFileAtomic<T>(
  path: string,
  produce: (sink: Sink) => Promise<T>,
): Promise<T> {
  const tmp = tempPathBeside(path);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o644);
  } catch (err) {
    throw cannotWrite(path, err);
  }
  const stream = createWriteStream('', { fd, autoClose: false, highWaterMark: 1 << 20 });
  const sink = new StreamSink(stream);
  let closed = false;
  try {
    const result = await produce(sink);
    await sink.finish();
    fsyncSync(fd);
    closeSync(fd);
    closed = true;
    renameSync(tmp, path);
    syncDirectory(dirname(path));
    return result;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    stream.destroy();
    if (!closed) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw code !== undefined && !(err instanceof OriginError) ? cannotWrite(path, err) : err;
  }
}
