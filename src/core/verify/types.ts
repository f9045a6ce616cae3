/** What verify reports, and the records its checks work on. */
import type { VerifyContext } from './context';
import type { HeadFields } from '../sessions/head';

export type CheckName =
  | 'sqlite_integrity'
  | 'references'
  | 'batch_layout'
  | 'totals'
  | 'origins_roots'
  | 'batch_roots'
  | 'session_roots'
  | 'session_heads'
  | 'pinned_root'
  | 'pinned_head'
  | 'lineage'
  | 'store_log'
  | 'pinned_store_head';

export interface VerifyFailure {
  check: CheckName;
  /** What broke, in words. */
  message: string;
  session_id?: string;
  batch_seq?: number;
  /** Position of the observation in its session (0-based). */
  position?: number;
  /** A lineage event's hash. */
  event?: string;
  /** The value re-derived from the data (or pinned from outside). */
  expected?: string;
  /** The value stored. */
  found?: string;
}

export interface CheckResult {
  name: CheckName;
  description: string;
  ok: boolean;
  failures: number;
}

export interface VerifyReport {
  ok: boolean;
  database: string;
  /** The session verified, or null for the whole store. */
  session_id: string | null;
  sessions: number;
  batches: number;
  observations: number;
  samples: number;
  checks: CheckResult[];
  /** Every failure, up to FAILURES_LISTED per check. */
  failures: VerifyFailure[];
  failure_count: number;
  /** Things worth knowing that are not failures. */
  notes: string[];
}

export interface VerifyOptions {
  /** Verify this session only (id or unique prefix); store-wide checks still run. */
  session?: string;
  /** Hex root known from outside: the session root must equal it (needs `session`). */
  root?: string;
  /** Hex session head known from outside (SPEC §2.2): the session's head must equal it (needs `session`). */
  head?: string;
  /** A store head known from outside (SPEC §2.4): the log's first storeSize leaves must have this root. */
  storeRoot?: string;
  storeSize?: number;
}

/** Failures listed per check; the rest are counted. */
export const FAILURES_LISTED = 100;

export interface SessionRec extends HeadFields {
  id: number;
  frontier: Uint8Array;
  origins_frontier: Uint8Array;
  head: Uint8Array;
  batches: BatchRec[];
}

export interface BatchRec {
  id: number;
  session_id: number;
  seq: number;
  first_position: number;
  record_count: number;
  byte_count: number;
  root: Uint8Array;
  fingerprintsLength: number;
  origins: Uint8Array;
  /** Content bytes per observation (schema 2); null in batches recorded before. */
  sizes: Uint8Array | null;
  /** Byte offset of this batch's fingerprints in the shared leaves buffer. */
  offset: number;
  /** Whole fingerprints in the column (what the trees are built from). */
  leaves: number;
  /** Session position of the first leaf, counted from the columns themselves. */
  start: number;
  /** Index of this batch's tree job. */
  job: number;
}

/** Per observation results of the one pass over every observation, shared by several checks. */
export interface ObservationPass {
  /** Per batch (by job index): sum of the sample sizes of its observations. */
  batchBytes: Float64Array;
  /** Per batch: its origin runs (decodeOriginRuns), or the reason they cannot be decoded. */
  origins: (Float64Array | string)[];
  /** Per session id: origin id → derived records and bytes. */
  perOrigin: Map<number, Map<number, { records: number; bytes: number }>>;
  /** Per batch: how its sizes column disagrees with its samples' sizes, if it does. */
  sizeColumns: (SizeColumnMismatch | undefined)[];
}

export interface SizeColumnMismatch {
  message: string;
  position?: number;
  expected?: string;
  found?: string;
}

export interface VerifyCheck {
  name: CheckName;
  description: string;
  /** Whether the check applies (e.g. pinned_root only with --root). */
  applies?: (ctx: VerifyContext) => boolean;
  run: (ctx: VerifyContext) => void | Promise<void>;
}
