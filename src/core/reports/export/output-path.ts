/**
 * What an output path (-o) is allowed to be. A new or regular file is replaced atomically; a
 * device or FIFO (/dev/stdout, a named pipe) is written directly; anything else that would be
 * replaced — the database, its lock or temp files, a directory, a symlink — is refused.
 */
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OriginError, UsageError } from '../../errors';

export type OutputKind = 'file' | 'stream';

/** The files of a database that no output may replace: the file, its lock, its temp files. */
function isDatabaseFile(target: string, db: string): boolean {
  if (dirname(target) !== dirname(db)) return false;
  const name = basename(target);
  const dbName = basename(db);
  return name === dbName || name.startsWith(`${dbName}.lock`) || name.startsWith(`.${dbName}.`);
}

/** The path with its directory's symlinks resolved, so two spellings of one file compare equal. */
function canonical(path: string): string {
  const absolute = resolve(path);
  try {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute;
  }
}

/** How to write `path`, or an error saying why it must not be written (exit 2) or cannot be (1). */
export function outputKind(path: string, db: string | undefined): OutputKind {
  const target = canonical(path);
  if (db !== undefined && isDatabaseFile(target, canonical(db))) {
    throw new UsageError(
      `-o ${path} would replace the database or its lock`,
      'write the output to another file',
    );
  }
  let link;
  try {
    link = lstatSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw cannotWrite(path, err);
    const parent = dirname(target);
    if (!isDirectory(parent)) {
      throw new OriginError(
        `cannot write ${path}: the directory ${parent} does not exist`,
        undefined,
        `create it first (mkdir -p ${parent}) or choose another -o`,
      );
    }
    return 'file';
  }
  if (link.isSymbolicLink()) {
    // /dev/stdout, /dev/fd/N: the file descriptor's own file, whatever it is. Other links only
    // to a pipe or a device.
    if (FD_LINK.test(resolve(path)) || streamTarget(target)) return 'stream';
    throw new UsageError(
      `-o ${path} is a symbolic link; origin does not replace links or write through them to files`,
      'name the file itself (or a new one) with -o',
    );
  }
  if (link.isDirectory()) {
    throw new UsageError(
      `-o ${path} is a directory`,
      `name a file inside it, e.g. -o ${join(path, 'out')}`,
    );
  }
  if (link.isCharacterDevice() || link.isBlockDevice() || link.isFIFO()) return 'stream';
  if (!link.isFile()) {
    throw new UsageError(`-o ${path} is not a regular file`, 'write the output to a regular file');
  }
  return 'file';
}

const FD_LINK = /^\/(dev\/(stdout|stderr|fd\/\d+)|proc\/self\/fd\/\d+)$/;

function streamTarget(path: string): boolean {
  try {
    const stat = statSync(path);
    return stat.isCharacterDevice() || stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** An operating-system error on an output file, said plainly (exit 1). */
export function cannotWrite(path: string, err: unknown): OriginError {
  const e = err as NodeJS.ErrnoException;
  return new OriginError(`cannot write ${path}: ${e.message}`, undefined, hintFor(e.code));
}

function hintFor(code: string | undefined): string | undefined {
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'check the permissions of the file and its directory, or choose another -o';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'make room on that device, or choose another -o';
    case 'ENAMETOOLONG':
      return 'choose a shorter file name';
    default:
      return undefined;
  }
}
