/**
 * When a streaming ingest commits what it has observed: every --checkpoint-every (a duration, a
 * record count, or both), and at the end. A commit of the embedded store rewrites the whole file,
 * which takes longer as the store grows, so the time between checkpoints stretches to at least
 * COMMIT_SHARE times the last commit's duration: saving never takes more than a tenth of the time.
 */
import { UsageError } from '../errors';

export interface CheckpointPolicy {
  /** Commit when this long has passed since the last commit. */
  everyMs?: number;
  /** Commit when this many records are waiting. */
  everyRecords?: number;
}

export const DEFAULT_CHECKPOINT_EVERY = '30s';
export const DEFAULT_CHECKPOINTS: CheckpointPolicy = { everyMs: 30_000 };
const COMMIT_SHARE = 10;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "30s", "5m", "1h", "250ms", "1000000" (records), or both joined by a comma: "30s,1000000". */
export function parseCheckpointEvery(text: string): CheckpointPolicy {
  const policy: CheckpointPolicy = {};
  const hint =
    'give a duration (250ms, 30s, 5m, 1h), a record count (1000000), or both: --checkpoint-every 30s,1000000';
  for (const part of text.split(',').map((p) => p.trim())) {
    const match = /^([0-9]+)(ms|s|m|h)?$/.exec(part);
    const value = match ? Number(match[1]) : NaN;
    if (!match || !Number.isSafeInteger(value) || value < 1) {
      throw new UsageError(
        `--checkpoint-every: "${part}" is not a duration or a record count`,
        hint,
      );
    }
    const unit = match[2];
    if (unit === undefined) {
      if (policy.everyRecords !== undefined)
        throw new UsageError('--checkpoint-every: two record counts', hint);
      policy.everyRecords = value;
    } else {
      if (policy.everyMs !== undefined)
        throw new UsageError('--checkpoint-every: two durations', hint);
      policy.everyMs = value * UNIT_MS[unit];
    }
  }
  return policy;
}

export interface CheckpointTimer {
  /** Tells the timer how many records wait uncommitted (a count policy may fire now). */
  observed(pending: number): void;
  /** Tells it a checkpoint commit took `ms`. */
  committed(ms: number): void;
  stop(): void;
}

/** Calls `due` when a checkpoint is due; `due` commits, or does nothing if nothing waits. */
export function checkpointTimer(policy: CheckpointPolicy, due: () => void): CheckpointTimer {
  let lastCommitMs = 0;
  let timeout: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (policy.everyMs === undefined) return;
    timeout = setTimeout(
      () => {
        due();
        arm();
      },
      Math.max(policy.everyMs, COMMIT_SHARE * lastCommitMs),
    );
    timeout.unref();
  };
  arm();
  return {
    observed(pending) {
      if (policy.everyRecords !== undefined && pending >= policy.everyRecords) due();
    },
    committed(ms) {
      lastCommitMs = ms;
    },
    stop() {
      clearTimeout(timeout);
    },
  };
}
