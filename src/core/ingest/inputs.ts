/**
 * What ingest reads: the inputs named on the command line, directories expanded into their files
 * in a deterministic order, each with its kind and the source name it gives its records.
 */
import { Dirent, Stats, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors';

export const STDIN = '-';

/**
 * How an input is read: stdin; a regular file (read in place, its size known); or any other
 * readable path (a named pipe, /dev/fd/N from process substitution, a character device), streamed.
 */
export type InputKind = 'stdin' | 'file' | 'stream';

/** Which part of a file's path names its source when --source is not given. */
export type SourceFrom = 'path' | 'dir' | 'name';
export const SOURCE_FROM: readonly SourceFrom[] = ['path', 'dir', 'name'];

export interface Input {
  /** The path to open ('-' for stdin). */
  path: string;
  kind: InputKind;
  /** As messages name it: the path as given or walked, or "stdin". */
  name: string;
  /** Its records' source unless --source or a source field says otherwise. */
  source: string;
}

export interface ExpandedInputs {
  inputs: Input[];
  /** Total size of the regular files. */
  bytes: number;
}

function statOrThrow(path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    throw new UsageError(
      `cannot read input ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      'check the file path',
    );
  }
}

/** The source a file's records get from its path. */
export function sourceOf(path: string, from: SourceFrom): string {
  if (from === 'name') return basename(path);
  if (from === 'dir') return dirname(path);
  return path;
}

/** Compares by the UTF-8 bytes of the paths (what `LC_ALL=C sort` does). */
function byPathBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Every regular file under `dir` (symbolic links followed to files, not into directories; names
 * starting with "." skipped, as in .git or .DS_Store), sorted by the bytes of their paths.
 */
export function walkDirectory(dir: string): string[] {
  const files: string[] = [];
  const visit = (at: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch (err) {
      throw new UsageError(
        `cannot read directory ${at}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile()) files.push(path);
      else if (entry.isSymbolicLink()) {
        let target: Stats | undefined;
        try {
          target = statSync(path);
        } catch {
          target = undefined; // a dangling link names no data
        }
        if (target?.isFile()) files.push(path);
      }
    }
  };
  visit(dir);
  return files.sort(byPathBytes);
}

/** Checks every input exists and is readable data, and expands directories into their files. */
export function expandInputs(paths: readonly string[], sourceFrom: SourceFrom): ExpandedInputs {
  let bytes = 0;
  const inputs: Input[] = [];
  const add = (path: string, stat: Stats): void => {
    if (stat.isFile()) {
      inputs.push({ path, kind: 'file', name: path, source: sourceOf(path, sourceFrom) });
      bytes += stat.size;
    } else if (stat.isFIFO() || stat.isCharacterDevice() || stat.isSocket()) {
      inputs.push({ path, kind: 'stream', name: path, source: sourceOf(path, sourceFrom) });
    } else {
      throw new UsageError(
        `input ${path} is not a file, a directory or a readable stream`,
        'name files, directories, a named pipe or "-" for stdin',
      );
    }
  };
  for (const path of paths) {
    if (path === STDIN) {
      inputs.push({ path, kind: 'stdin', name: 'stdin', source: 'stdin' });
      continue;
    }
    const stat = statOrThrow(path);
    if (!stat.isDirectory()) {
      add(path, stat);
      continue;
    }
    const files = walkDirectory(path);
    if (files.length === 0) {
      throw new UsageError(
        `directory ${path} has no files`,
        'files whose names start with "." are skipped',
      );
    }
    for (const file of files) add(file, statOrThrow(file));
  }
  return { inputs, bytes };
}
