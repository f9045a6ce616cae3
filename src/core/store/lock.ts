/**
 * The single-writer lock of a database file: `<path>.lock`, a small JSON file naming its holder
 * (pid, host, the process's start time, a random nonce). Writers take it only around a commit.
 * A lock whose holder is a dead process on this host is taken over at once; a lock held on
 * another host is taken over once its holder has stopped refreshing it for STALE_MS.
 */
import { randomBytes } from 'node:crypto';
import {
  linkSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { StoreError } from '../errors';

/** A holder refreshes its lock's mtime this often… */
const REFRESH_MS = 5_000;
/** …so a remote holder's lock not refreshed for this long is stale (its holder is gone). */
export const STALE_MS = 30_000;
const RETRY_MS = 25;

export interface LockOptions {
  /** How long to wait for a live holder before giving up. */
  timeoutMs: number;
  /** Called once when the lock is busy and we start waiting. */
  onWait?: (timeoutMs: number, holder: LockHolder | undefined) => void;
}

export interface LockHolder {
  pid: number;
  host: string;
  /** The holder process's start time as the OS counts it (Linux: /proc/PID/stat), to tell a reused pid. */
  started: string | null;
  nonce: string;
  acquired_at: string;
}

export interface HeldLock {
  /** False once the lock file no longer names us (another process took it over). */
  held(): boolean;
  release(): void;
}

/** Default wait from ORIGIN_LOCK_TIMEOUT (seconds), else 60 s. */
export function lockTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.ORIGIN_LOCK_TIMEOUT;
  if (raw === undefined || raw === '') return 60_000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new StoreError(`ORIGIN_LOCK_TIMEOUT must be a number of seconds, got "${raw}"`);
  }
  return seconds * 1000;
}

export function lockPathOf(path: string): string {
  return `${path}.lock`;
}

/** The start time of a process (Linux), or null where the OS does not say. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether the process that wrote `holder` still runs (only answerable on its own host). */
export function holderAlive(holder: Pick<LockHolder, 'pid' | 'started'>): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStartTime(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

let ownStart: string | null | undefined;

/** Who we are, as a lock (or a session's writer record) names us. */
export function currentWriter(): Omit<LockHolder, 'nonce' | 'acquired_at'> {
  ownStart ??= processStartTime(process.pid);
  return { pid: process.pid, host: hostname(), started: ownStart };
}

function readHolder(lockPath: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.nonce !== 'string') return undefined;
    return parsed as LockHolder;
  } catch {
    return undefined;
  }
}

/** Whether a lock found on disk may be taken over now. */
function isStale(lockPath: string, holder: LockHolder | undefined): boolean {
  if (holder && holder.host === hostname()) return !holderAlive(holder);
  let mtimeMs: number;
  try {
    mtimeMs = statSync(lockPath).mtimeMs;
  } catch {
    return false; // gone already: the next attempt takes it
  }
  return Date.now() - mtimeMs > STALE_MS;
}

/**
 * Removes a stale lock, unless it changed since it was judged stale: it is renamed aside first,
 * and put back if what was renamed is not what was judged.
 */
function takeOver(lockPath: string, judged: LockHolder | undefined): void {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return; // someone else took it over first
  }
  const found = readHolder(aside);
  if (judged !== undefined && found?.nonce !== judged.nonce) {
    try {
      linkSync(aside, lockPath); // a fresh lock: give it back
    } catch {
      // a third writer holds it now; the one we moved sees that its lock is gone
    }
  }
  unlinkSync(aside);
}

/**
 * Removes what killed writers left beside the database: temp files of interrupted saves and of
 * lock creation. Called with the lock held, when no save can be under way.
 */
function removeLeftovers(path: string): void {
  const dir = dirname(path);
  const savePrefix = `.${basename(path)}.tmp-`;
  const lockPrefix = `.${basename(path)}.lock-`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const isSave = name.startsWith(savePrefix);
    if (!isSave && !name.startsWith(lockPrefix)) continue;
    const full = join(dir, name);
    try {
      // A lock's temp file lives for a moment before it is linked; only old ones are leftovers.
      if (!isSave && Date.now() - statSync(full).mtimeMs < STALE_MS) continue;
      unlinkSync(full);
    } catch {
      // gone already
    }
  }
}

/**
 * Takes the writer lock of a database file, waiting up to timeoutMs for a live holder. The lock
 * file is created whole (written beside it, then hard-linked into place), so a reader never sees
 * a half-written one.
 */
export async function acquireWriteLock(path: string, options: LockOptions): Promise<HeldLock> {
  const lockPath = lockPathOf(path);
  const holder: LockHolder = {
    ...currentWriter(),
    nonce: randomBytes(8).toString('hex'),
    acquired_at: new Date().toISOString(),
  };
  const draft = join(dirname(path), `.${basename(path)}.lock-${process.pid}-${holder.nonce}`);
  try {
    writeFileSync(draft, `${JSON.stringify(holder)}\n`, { flag: 'wx', mode: 0o644 });
  } catch (err) {
    throw lockError(path, err);
  }
  const deadline = Date.now() + options.timeoutMs;
  let announced = false;
  try {
    for (;;) {
      try {
        linkSync(draft, lockPath);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(path, err);
      }
      const current = readHolder(lockPath);
      if (isStale(lockPath, current)) {
        takeOver(lockPath, current);
        continue;
      }
      if (Date.now() >= deadline) {
        const by = current ? ` (pid ${current.pid} on ${current.host})` : '';
        throw new StoreError(
          `another origin process${by} is writing ${path}; gave up after ${seconds(options.timeoutMs)} s`,
          'wait for it to finish and run the command again, or raise ORIGIN_LOCK_TIMEOUT (seconds)',
        );
      }
      if (!announced) {
        options.onWait?.(options.timeoutMs, current);
        announced = true;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  } finally {
    try {
      unlinkSync(draft);
    } catch {
      // removed as a leftover by another writer meanwhile: the link holds the content
    }
  }
  removeLeftovers(path);

  const held = (): boolean => readHolder(lockPath)?.nonce === holder.nonce;
  const refresh = setInterval(() => {
    try {
      const now = new Date();
      if (held()) utimesSync(lockPath, now, now);
    } catch {
      // the next held() check reports a lost lock
    }
  }, REFRESH_MS);
  refresh.unref();
  return {
    held,
    release: () => {
      clearInterval(refresh);
      if (held()) {
        try {
          unlinkSync(lockPath);
        } catch {
          // already gone
        }
      }
    },
  };
}

function seconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
}

function lockError(path: string, err: unknown): StoreError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new StoreError(
      `cannot use ${path}: the directory ${dirname(path)} does not exist`,
      'create the directory, or choose another --path / ORIGIN_DB_PATH',
    );
  }
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    return new StoreError(
      `cannot write beside ${path} (${code}): a writer needs to create ${basename(lockPathOf(path))} in ${dirname(path)}`,
      'check the directory permissions, or copy the database somewhere writable',
    );
  }
  if (code === 'ENAMETOOLONG') {
    return new StoreError(
      `cannot use ${path}: the file name is too long for the file system (ENAMETOOLONG)`,
      'choose a shorter --path / ORIGIN_DB_PATH (the lock and temp files add about 40 characters to its name)',
    );
  }
  return new StoreError(`cannot lock ${path}: ${(err as Error).message}`);
}
