import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { StoreError } from '../errors';

/** A lock older than this (not refreshed by a live holder) is taken over; well above any save. */
const STALE_MS = 30_000;
const RETRY_MS = 100;

export interface LockOptions {
  /** How long to wait for another writer before giving up. */
  timeoutMs: number;
  /** Called once when the lock is busy and we start waiting. */
  onWait?: (timeoutMs: number) => void;
}

export interface HeldLock {
  /** False once another process took the lock over (we were too slow to refresh it). */
  readonly held: () => boolean;
  release(): Promise<void>;
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

/**
 * Takes the single-writer lock of a database file (`<path>.lock`), waiting up to timeoutMs.
 * Advisory: every Origin writer takes it around its whole read-modify-write.
 */
export async function acquireWriteLock(path: string, options: LockOptions): Promise<HeldLock> {
  let compromised = false;
  const deadline = Date.now() + options.timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const release = await lockfile.lock(path, {
        realpath: false,
        stale: STALE_MS,
        retries: 0,
        onCompromised: () => {
          compromised = true;
        },
      });
      return {
        held: () => !compromised,
        release: async () => {
          if (!compromised) await release().catch(() => undefined);
        },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw new StoreError(
          `cannot use ${path}: the directory ${dirname(path)} does not exist`,
          'create the directory, or choose another --path / ORIGIN_DB_PATH',
        );
      }
      if (code !== 'ELOCKED') {
        throw new StoreError(`cannot lock ${path}: ${(err as Error).message}`);
      }
      if (Date.now() >= deadline) {
        throw new StoreError(
          `another origin process is writing ${path}; gave up after ${Math.round(options.timeoutMs / 1000)} s`,
          `wait for it to finish and run the command again, or raise ORIGIN_LOCK_TIMEOUT (seconds). A lock left by a killed process (${path}.lock) expires after ${STALE_MS / 1000} s.`,
        );
      }
      if (!announced) {
        options.onWait?.(options.timeoutMs);
        announced = true;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
