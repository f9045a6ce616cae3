/**
 * What session B changes against session A: its records, the distinct samples both hold or only
 * one holds, the sources and licenses B adds or drops (with their records and bytes, from the
 * per-session totals kept at ingest), and the license findings B has that A had not. CI gates a
 * dataset change on it (`--fail-on new-license|new-conflict`).
 *
 * The samples are compared through one FingerprintIndex over both sessions, filled batch column by
 * batch column, so memory grows with the distinct samples (about 45 bytes each) and no per-sample
 * object is ever made.
 */
import { HASH_BYTES } from '../merkle';
import { IntendedUse, PropagatedFinding, Taxonomy, Waiver } from '../licenses';
import { waiverFor } from '../licenses/waivers/waivers';
import { ConflictEntry, analyzeSession, toEntry } from '../licenses/report';
import { FingerprintIndex } from '../samples/fingerprint-index';
import { Store } from '../store/store';
import { sessionSources } from './inspect';
import { SessionRow, getSession } from './session';

export const DIFF_FAIL_ON = ['new-license', 'new-conflict', 'none'] as const;
export type DiffFailOn = (typeof DIFF_FAIL_ON)[number];

export interface DiffSide {
  session_id: string;
  records: number;
  bytes: number;
  distinct_samples: number;
  /** The license the whole session propagates to ("mixed" when it conflicts). */
  license: string;
  conflicts: number;
  warnings: number;
}

/** A source B adds or drops, with the licenses it was recorded under. */
export interface SourceChange {
  source: string;
  records: number;
  bytes: number;
  licenses: string[];
}

/** A license (as recorded) B adds or drops, with the sources that carry it. */
export interface LicenseChange {
  license: string;
  records: number;
  bytes: number;
  sources: string[];
}

interface Totals {
  name: string;
  records: number;
  bytes: number;
  others: string[];
}

export interface SessionDiff {
  a: DiffSide;
  b: DiffSide;
  samples: { shared: number; only_a: number; only_b: number };
  sources: { added: SourceChange[]; removed: SourceChange[] };
  licenses: { added: LicenseChange[]; removed: LicenseChange[] };
  /** The license analysis of what B adds: B's findings that A does not have. */
  analysis: {
    intended_use: IntendedUse;
    new_conflicts: ConflictEntry[];
    new_warnings: ConflictEntry[];
    /** New findings a waiver in force accepts (they do not count for --fail-on). */
    waived: ConflictEntry[];
  };
  fail_on: DiffFailOn;
  failed: boolean;
}

export interface DiffOptions {
  use?: IntendedUse;
  failOn: DiffFailOn;
  /** Waivers besides the overlay's (--waivers FILE). */
  waivers?: readonly Waiver[];
  /** The day waivers are judged on (YYYY-MM-DD, UTC); default: today. */
  today?: string;
}

/** Compares session B (id or prefix) with session A. */
export function diffSessions(
  store: Store,
  taxonomy: Taxonomy,
  aId: string,
  bId: string,
  options: DiffOptions,
): SessionDiff {
  const a = getSession(store, aId);
  const b = getSession(store, bId);
  const samples = compareSamples(store, a, b);
  const use = options.use ?? taxonomy.settings.default_use;
  const analysisA = analyzeSession(store, taxonomy, a, use).result;
  const analysisB = analyzeSession(store, taxonomy, b, use).result;
  const inA = new Set([...analysisA.conflicts, ...analysisA.warnings].map(findingKey));
  const waivers = [...taxonomy.waivers, ...(options.waivers ?? [])];
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const waived: ConflictEntry[] = [];
  const judged = (findings: readonly PropagatedFinding[]): ConflictEntry[] =>
    findings
      .filter((f) => !inA.has(findingKey(f)))
      .flatMap((f) => {
        const entry = toEntry(b.uid, f);
        const { waived: waiver, expired } = waiverFor(waivers, entry, today);
        if (waiver) {
          waived.push({ ...entry, waiver });
          return [];
        }
        return [expired ? { ...entry, expired_waiver: expired } : entry];
      });
  const newConflicts = judged(analysisB.conflicts);
  const newWarnings = judged(analysisB.warnings);
  const originsA = sessionSources(store, a.id);
  const originsB = sessionSources(store, b.id);
  const bySource = changes(originsA, originsB, 'source', 'license');
  const byLicense = changes(originsA, originsB, 'license', 'source');
  const source = ({ name, records, bytes, others }: Totals): SourceChange => ({
    source: name,
    records,
    bytes,
    licenses: others,
  });
  const license = ({ name, records, bytes, others }: Totals): LicenseChange => ({
    license: name,
    records,
    bytes,
    sources: others,
  });
  const sources = { added: bySource.added.map(source), removed: bySource.removed.map(source) };
  const licenses = {
    added: byLicense.added.map(license),
    removed: byLicense.removed.map(license),
  };
  const failed =
    (options.failOn === 'new-license' && licenses.added.length > 0) ||
    (options.failOn === 'new-conflict' && newConflicts.length > 0);
  const side = (s: SessionRow, distinct: number, result: typeof analysisA): DiffSide => ({
    session_id: s.uid,
    records: s.record_count,
    bytes: s.byte_count,
    distinct_samples: distinct,
    license: result.license,
    conflicts: result.conflicts.length,
    warnings: result.warnings.length,
  });
  return {
    a: side(a, samples.shared + samples.only_a, analysisA),
    b: side(b, samples.shared + samples.only_b, analysisB),
    samples,
    sources,
    licenses,
    analysis: {
      intended_use: use,
      new_conflicts: newConflicts,
      new_warnings: newWarnings,
      waived,
    },
    fail_on: options.failOn,
    failed,
  };
}

/** A finding is the same in two sessions when the same rule fires on the same licenses. */
function findingKey(f: { rule: string; licenses: readonly string[] }): string {
  return `${f.rule}\u0000${f.licenses.join('\u0000')}`;
}

interface OriginTotals {
  source: string;
  license: string;
  records: number;
  bytes: number;
}

/** The names (sources, or licenses) B has and A has not, and those A has and B has not. */
function changes(
  a: readonly OriginTotals[],
  b: readonly OriginTotals[],
  key: 'source' | 'license',
  other: 'source' | 'license',
): { added: Totals[]; removed: Totals[] } {
  const totals = (rows: readonly OriginTotals[]): Map<string, Totals> => {
    const byName = new Map<string, Totals>();
    for (const row of rows) {
      const t = byName.get(row[key]) ?? { name: row[key], records: 0, bytes: 0, others: [] };
      t.records += row.records;
      t.bytes += row.bytes;
      if (!t.others.includes(row[other])) t.others.push(row[other]);
      byName.set(row[key], t);
    }
    return byName;
  };
  const inA = totals(a);
  const inB = totals(b);
  const only = (x: Map<string, Totals>, y: Map<string, Totals>): Totals[] =>
    [...x.values()]
      .filter((t) => !y.has(t.name))
      .map((t) => ({ ...t, others: [...t.others].sort() }))
      .sort((p, q) => q.records - p.records || (p.name < q.name ? -1 : 1));
  return { added: only(inB, inA), removed: only(inA, inB) };
}

const IN_A = 1;
const IN_B = 2;

/** Distinct samples in both sessions, only in A, only in B. */
function compareSamples(
  store: Store,
  a: SessionRow,
  b: SessionRow,
): { shared: number; only_a: number; only_b: number } {
  const stored = (s: SessionRow): number =>
    Number(
      store.scalar(
        'SELECT coalesce(sum(length(fingerprints) / 32), 0) FROM batches WHERE session_id = ?',
        [s.id],
      ),
    );
  const inA = stored(a);
  const index = new FingerprintIndex(inA);
  // Which session(s) hold each distinct sample, by its number in the index.
  const held = new Uint8Array(inA + stored(b));
  eachFingerprintColumn(store, a.id, (column, count) => {
    for (let i = 0; i < count; i++) held[index.add(column, i * HASH_BYTES)] |= IN_A;
  });
  eachFingerprintColumn(store, b.id, (column, count) => {
    for (let i = 0; i < count; i++) held[index.add(column, i * HASH_BYTES)] |= IN_B;
  });
  const counts = { shared: 0, only_a: 0, only_b: 0 };
  for (let n = 0; n < index.size; n++) {
    if (held[n] === IN_A + IN_B) counts.shared++;
    else if (held[n] === IN_A) counts.only_a++;
    else counts.only_b++;
  }
  return counts;
}

/** Calls fn with each batch's fingerprint column of a session, one batch at a time. */
function eachFingerprintColumn(
  store: Store,
  sessionId: number,
  fn: (column: Uint8Array, count: number) => void,
): void {
  const stmt = store.db.prepare(
    'SELECT fingerprints FROM batches WHERE session_id = ? ORDER BY seq',
  );
  try {
    stmt.bind([sessionId]);
    while (stmt.step()) {
      const column = stmt.get()[0] as Uint8Array;
      fn(column, Math.floor(column.length / HASH_BYTES));
    }
  } finally {
    stmt.free();
  }
}
