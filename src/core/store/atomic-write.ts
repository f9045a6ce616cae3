import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Bytes per read or write call: one call cannot move 2 GiB or more. */
export const IO_CHUNK_BYTES = 64 << 20;

/**
 * Replaces `path` with `data` so that a crash at any instant leaves either the old file or the
 * new one: write a temp file in the same directory, fsync it, rename it over, fsync the directory.
 */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  const tmp = tempPathBeside(path);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    let off = 0;
    while (off < data.length) {
      off += writeSync(fd, data, off, Math.min(IO_CHUNK_BYTES, data.length - off));
    }
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  syncDirectory(dirname(path));
}

/** A fresh temp file name in the same directory as `path`, so a rename over it is atomic. */
export function tempPathBeside(path: string): string {
  return join(
    dirname(path),
    `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/** Makes a rename in `dir` durable. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
