/**
 * Origin as a library (`require('origin-provenance')` or `import … from 'origin-provenance'`): the
 * services the commands call, with the same checks, errors and results as their `--json` output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_LINE_BYTES,
  IngestSummary,
  ingest as ingestInputs,
} from './core/ingest/ingest';
import { IntendedUse, Taxonomy } from './core/licenses';
import { ConflictsReport, FailOn, conflictsReport, projectTaxonomy } from './core/licenses/report';
import { Baseline } from './core/licenses/waivers/baseline';
import { loadWaiversFile } from './core/licenses/waivers/waivers';
import { DiffFailOn, SessionDiff, diffSessions } from './core/sessions/diff';
import { renderCard } from './core/reports/card';
import { SessionProvenance, sessionProvenance } from './core/reports/provenance';
import { OpenMode, Store } from './core/store/store';
import { VerifyOptions, VerifyReport, verifyStore } from './core/verify';
import { UsageError } from './core/errors';

export { ExitCode, OriginError, StoreError, UsageError, VerificationError } from './core/errors';
export type { ExitCodeValue } from './core/errors';
export { Store } from './core/store/store';
export type { OpenMode } from './core/store/store';
export type { IngestSummary, SkippedLine } from './core/ingest/ingest';
export type { ConflictEntry, ConflictsReport, FailOn } from './core/licenses/report';
export type {
  DiffFailOn,
  DiffSide,
  LicenseChange,
  SessionDiff,
  SourceChange,
} from './core/sessions/diff';
export type { Waiver } from './core/licenses';
export type { WaiverNote } from './core/licenses/waivers/waivers';
export type { IntendedUse, Taxonomy } from './core/licenses';
export { checkCompatibility, loadTaxonomy, parseExpression } from './core/licenses';
export type { SessionProvenance } from './core/reports/provenance';
export type { VerifyReport } from './core/verify';
export { endSession, getSession, listSessions } from './core/sessions/session';
export type { SessionRow, SessionStatus } from './core/sessions/session';
export { traceSample } from './core/samples/trace';
export type { TraceReport } from './core/samples/trace';
export { buildProof, checkProof } from './core/samples/prove';
export type { InclusionProof, ProofCheck } from './core/samples/prove';
export { exportSession, EXPORT_FORMATS } from './core/reports/export';
export type { ExportFormat } from './core/reports/export';

/** This package's version (what cards and exports name as their generator). */
export const version: string = (
  JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

export interface OpenStoreOptions {
  /** 'read' (default): nothing is written; 'write': the file must exist; 'create': made if missing. */
  mode?: OpenMode;
  /** How long to wait for another writer's lock, in ms (default $ORIGIN_LOCK_TIMEOUT or 60 s). */
  lockTimeoutMs?: number;
}

/**
 * Opens an Origin database file. Call `store.close()` when done: it saves what changed
 * (atomically) and releases the writer lock; `store.abandon()` drops the changes instead.
 */
export function openStore(path: string, options: OpenStoreOptions = {}): Promise<Store> {
  return Store.open(path, { mode: options.mode ?? 'read', lockTimeoutMs: options.lockTimeoutMs });
}

/** One input record: an object (one JSONL record) or a string (one JSONL line, or one text line). */
export type InputRecord = string | Record<string, unknown>;

export interface IngestRecordsOptions {
  /** 'jsonl' (default): objects and strings are JSON records; 'text': each string is a sample. */
  format?: 'jsonl' | 'text';
  /** The content field (JSON Pointer or dotted path), or several: then the JCS of an object of them. */
  contentField?: string | readonly string[];
  /** A field holding a precomputed fingerprint (64 hex), used instead of hashing content. */
  fingerprintField?: string;
  source?: string;
  license?: string;
  sourceField?: string;
  licenseField?: string;
  batchSize?: number;
  maxLineBytes?: number;
  /** Append to this open session; else a new session is created and completed. */
  session?: string;
  skipInvalid?: boolean;
  signal?: AbortSignal;
}

/**
 * Records a stream of records into one session, exactly as `origin ingest` records the same lines,
 * and returns its summary. Records are read as they come (backpressure included), so the stream
 * may be larger than memory. The store must be open for writing; nothing is saved until
 * `store.close()`. Bad input throws a UsageError and leaves the store unchanged.
 */
export async function ingest(
  store: Store,
  records: AsyncIterable<InputRecord> | Iterable<InputRecord>,
  options: IngestRecordsOptions = {},
): Promise<IngestSummary> {
  const format = options.format ?? 'jsonl';
  return ingestInputs(store, {
    inputs: ['-'],
    stdin: Readable.from(lines(records, format)),
    format,
    contentFields:
      options.contentField === undefined
        ? undefined
        : typeof options.contentField === 'string'
          ? [options.contentField]
          : options.contentField,
    fingerprintField: options.fingerprintField,
    sourceField: options.sourceField,
    licenseField: options.licenseField,
    source: options.source ?? 'records',
    license: options.license,
    batchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    session: options.session,
    skipInvalid: options.skipInvalid ?? false,
    signal: options.signal,
  });
}

async function* lines(
  records: AsyncIterable<InputRecord> | Iterable<InputRecord>,
  format: 'jsonl' | 'text',
): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const record of records) {
    n++;
    if (typeof record === 'string') {
      if (/[\r\n]/.test(record)) {
        throw new UsageError(
          `record ${n}: a string record must be one line (it contains a line break)`,
        );
      }
      yield Buffer.from(`${record}\n`, 'utf8');
    } else if (format === 'jsonl' && typeof record === 'object' && record !== null) {
      yield Buffer.from(`${JSON.stringify(record)}\n`, 'utf8');
    } else {
      throw new UsageError(
        `record ${n}: expected ${format === 'text' ? 'a string' : 'an object or a string'}, got ${record === null ? 'null' : typeof record}`,
      );
    }
  }
}

export interface LicenseOptions {
  /** Intended use of the trained model (default: the taxonomy's, commercial). */
  use?: IntendedUse;
  /** A license overlay YAML file; default: origin.licenses.yaml beside the database, if present. */
  licenses?: string;
}

/** The taxonomy a store's commands use: licenses.yaml plus the project overlay, if any. */
export function taxonomyFor(store: Store, licenses?: string): Taxonomy {
  return projectTaxonomy(store.path, licenses);
}

/** `origin verify`: re-derives every stored hash and count; `report.ok` false means tampering. */
export function verify(store: Store, options: VerifyOptions = {}): Promise<VerifyReport> {
  return verifyStore(store, options);
}

export interface WaiverOptions {
  /** A waivers YAML file (`waivers:` list), besides the overlay's waivers. */
  waivers?: string;
}

/**
 * `origin conflicts`: license findings of every session (or one), waived ones apart;
 * `report.failed` is exit 4. With `baseline` (a file an earlier `conflicts --json` wrote), only
 * findings it did not have count.
 */
export function conflicts(
  store: Store,
  options: LicenseOptions &
    WaiverOptions & { session?: string; failOn?: FailOn; baseline?: string } = {},
): ConflictsReport {
  const taxonomy = taxonomyFor(store, options.licenses);
  return conflictsReport(store, taxonomy, {
    session: options.session,
    use: options.use,
    failOn: options.failOn ?? 'conflict',
    waivers: options.waivers !== undefined ? loadWaiversFile(options.waivers, taxonomy) : [],
    baseline: options.baseline !== undefined ? Baseline.load(options.baseline) : undefined,
  });
}

/** `origin diff A B`: what session B changes against session A; `failed` is exit 4. */
export function diff(
  store: Store,
  a: string,
  b: string,
  options: LicenseOptions & WaiverOptions & { failOn?: DiffFailOn } = {},
): SessionDiff {
  const taxonomy = taxonomyFor(store, options.licenses);
  return diffSessions(store, taxonomy, a, b, {
    use: options.use,
    failOn: options.failOn ?? 'none',
    waivers: options.waivers !== undefined ? loadWaiversFile(options.waivers, taxonomy) : [],
  });
}

/** `origin card`: the Markdown provenance card of a session, with the provenance behind it. */
export function card(
  store: Store,
  session: string,
  options: LicenseOptions = {},
): { markdown: string; provenance: SessionProvenance } {
  const provenance = sessionProvenance(store, taxonomyFor(store, options.licenses), session, {
    version,
    use: options.use,
  });
  return { markdown: renderCard(provenance), provenance };
}
