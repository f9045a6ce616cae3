/** What every export format works from: the session's provenance, gathered once. */
import { BatchInfo, listBatches } from '../../sessions/inspect';
import { IntendedUse, Taxonomy } from '../../licenses';
import { SessionProvenance, sessionProvenance } from '../provenance';
import { getSession } from '../../sessions/session';
import { SessionObservations, readSessionObservations } from '../../sessions/observations';
import { Store } from '../../store/store';
import { ReadLicense, readLicense } from './licenses';
import { UsageError } from '../../errors';

export interface ExportContext {
  store: Store;
  taxonomy: Taxonomy;
  provenance: SessionProvenance;
  /** The session's row id in the store (for formats that read observations). */
  sessionRowId: number;
  /** The session's observation columns, read once. */
  observations: SessionObservations;
  /** Every batch of the session, in order, with its RFC 6962 root. */
  batches: BatchInfo[];
  /** Each recorded license string of the session, read as SPDX. */
  licenses: ReadonlyMap<string, ReadLicense>;
  /** For formats with a Markdown and a JSON rendering: the JSON one. */
  json: boolean;
  /** MLflow and W&B: what every key starts with (`origin` unless told otherwise). */
  prefix: string;
}

/** The default key prefix of the MLflow and W&B exports. */
export const DEFAULT_KEY_PREFIX = 'origin';
/** What a key prefix may hold: MLflow's key characters, starting with a letter or digit. */
const KEY_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,99}$/;

/** Refuses a key prefix MLflow would not take, or that would run into the keys (exit 2). */
export function checkKeyPrefix(prefix: string): string {
  if (!KEY_PREFIX.test(prefix) || /[./]$/.test(prefix))
    throw new UsageError(
      `--prefix ${JSON.stringify(prefix)} is not a key prefix`,
      'use up to 100 letters, digits, "_", "-", "." or "/", starting with a letter or digit and ' +
        'not ending with "." or "/", e.g. --prefix origin.pretrain',
    );
  return prefix;
}

export interface ContextOptions {
  session: string;
  version: string;
  use?: IntendedUse;
  json?: boolean;
  prefix?: string;
}

export function exportContext(
  store: Store,
  taxonomy: Taxonomy,
  options: ContextOptions,
): ExportContext {
  const row = getSession(store, options.session);
  const observations = readSessionObservations(store, row.id);
  const provenance = sessionProvenance(store, taxonomy, row.uid, {
    version: options.version,
    use: options.use,
    observations,
  });
  const licenses = new Map<string, ReadLicense>();
  for (const s of provenance.sources)
    if (!licenses.has(s.license)) licenses.set(s.license, readLicense(taxonomy, s.license));
  return {
    store,
    taxonomy,
    provenance,
    sessionRowId: row.id,
    observations,
    batches: listBatches(store, row.id),
    licenses,
    json: options.json ?? false,
    prefix: checkKeyPrefix(options.prefix ?? DEFAULT_KEY_PREFIX),
  };
}

/** The license reading of a recorded string (read on demand if the context has none). */
export function licenseOf(ctx: ExportContext, recorded: string): ReadLicense {
  return ctx.licenses.get(recorded) ?? readLicense(ctx.taxonomy, recorded);
}

/** When the session's data was last added to: its end, else its last batch, else its start. */
export function builtAt(ctx: ExportContext): string {
  const s = ctx.provenance.session;
  return s.ended_at ?? ctx.batches[ctx.batches.length - 1]?.created_at ?? s.started_at;
}

/** The command that checks an export against the database, pinning its session root and head. */
export function verifyCommand(ctx: ExportContext): string {
  return ctx.provenance.integrity.verify_command;
}

/** What builtAt's time is: the session's end, the time of its last batch, or its start. */
export type BuiltAtBasis = 'session-end' | 'last-batch' | 'session-start';

/** builtAt together with which of the three times it is, for formats that must say so. */
export function builtAtWithBasis(ctx: ExportContext): { at: string; basis: BuiltAtBasis } {
  const s = ctx.provenance.session;
  if (s.ended_at !== null) return { at: s.ended_at, basis: 'session-end' };
  const last = ctx.batches[ctx.batches.length - 1];
  if (last) return { at: last.created_at, basis: 'last-batch' };
  return { at: s.started_at, basis: 'session-start' };
}
