/**
 * Compressed input, recognised by its first bytes (never by its name): gzip through node:zlib,
 * Zstandard through fzstd (pure JavaScript; node:zlib has no zstd before Node 22.15). The
 * decompressed bytes are what ingest frames and fingerprints; the compressed ones are what --tee
 * passes on.
 */
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd';

/** Bytes needed to recognise every supported compression. */
export const MAGIC_BYTES = 4;

/** gzip (RFC 1952: 1f 8b) or a Zstandard frame (RFC 8878: 28 b5 2f fd), else undefined. */
export function detectCompression(head: Uint8Array): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (
    head.length >= 4 &&
    head[0] === 0x28 &&
    head[1] === 0xb5 &&
    head[2] === 0x2f &&
    head[3] === 0xfd
  ) {
    return 'zstd';
  }
  return undefined;
}

/** Compressed data that cannot be decompressed: truncated or corrupt. */
export class DecompressionError extends Error {
  constructor(
    readonly compression: Compression,
    detail: string,
  ) {
    super(`${compression} data is truncated or corrupt (${detail})`);
  }
}

/** A stream that decompresses; its errors are DecompressionErrors. Concatenated members/frames are read in turn. */
export function decompressor(compression: Compression): Transform {
  return compression === 'gzip' ? gunzip() : unzstd();
}

function gunzip(): Transform {
  const inner = createGunzip();
  // Only to translate zlib's errors: the transform hands chunks to zlib and passes its output on.
  const outer = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (inner.write(chunk)) done();
      else inner.once('drain', () => done());
    },
    flush(done) {
      inner.once('end', () => done());
      inner.end();
    },
  });
  inner.on('data', (data: Buffer) => outer.push(data));
  inner.on('error', (err: Error) => outer.destroy(new DecompressionError('gzip', err.message)));
  return outer;
}

function unzstd(): Transform {
  const decoder = new Decompress();
  const guarded = (run: () => void, done: (err?: Error) => void): void => {
    try {
      run();
    } catch (err) {
      done(new DecompressionError('zstd', (err as Error).message));
      return;
    }
    done();
  };
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      guarded(() => decoder.push(chunk), done);
    },
    flush(done) {
      guarded(() => decoder.push(new Uint8Array(0), true), done);
    },
  });
  decoder.ondata = (data) => {
    if (data.length > 0) stream.push(data);
  };
  return stream;
}
