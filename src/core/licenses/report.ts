/**
 * The license engine applied to what the store recorded: the taxonomy (with the project overlay),
 * per-session propagation and conflicts, and license queries. Works from the per-session origin
 * totals kept at ingest, so a million-sample session costs no more than a small one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../errors';
import {
  IntendedUse,
  LicenseCount,
  ParsedExpression,
  PropagatedFinding,
  PropagationResult,
  Taxonomy,
  YamlSnapshot,
  loadTaxonomy,
  parseExpression,
  propagate,
} from './';
import { sessionSources } from '../sessions/inspect';
import { decodeOrigins } from '../store/observations';
import { SessionRow, getSession } from '../sessions/session';
import { Store } from '../store/store';
import { Baseline } from './waivers/baseline';
import { Waiver } from './types';
import { WaiverNote, waiverFor } from './waivers/waivers';

/** Replaced at bundle time by the parsed licenses.yaml (the single-file executable has no files). */
declare const ORIGIN_LICENSES_SNAPSHOT: YamlSnapshot | undefined;

export const OVERLAY_FILE_NAME = 'origin.licenses.yaml';

/** The overlay in use: --licenses FILE, else origin.licenses.yaml beside the database, else none. */
export function findOverlay(dbPath: string, flag: string | undefined): string | undefined {
  if (flag !== undefined) {
    if (!existsSync(flag))
      throw new UsageError(`license overlay ${flag} does not exist`, 'check the --licenses path');
    return flag;
  }
  const beside = join(dirname(dbPath), OVERLAY_FILE_NAME);
  return existsSync(beside) ? beside : undefined;
}

/** The taxonomy: licenses.yaml shipped with origin, plus the project overlay if any. */
export function projectTaxonomy(dbPath: string, overlayFlag?: string): Taxonomy {
  const overlayPath = findOverlay(dbPath, overlayFlag);
  const embedded =
    typeof ORIGIN_LICENSES_SNAPSHOT === 'object'
      ? { ...ORIGIN_LICENSES_SNAPSHOT, label: 'licenses.yaml (built in)' }
      : undefined;
  return loadTaxonomy({
    snapshot: embedded,
    overlayPath,
    overlayText: overlayPath ? readFileSync(overlayPath, 'utf8') : undefined,
  });
}

/** A recorded license string and how the engine reads it. */
export interface LicenseReading {
  recorded: string;
  /** The normalised SPDX expression the engine evaluated. */
  expression: string;
  /** Set when the recorded string was not a valid expression: what was done about it. */
  note?: string;
}

/**
 * Reads a recorded license string leniently (ingest never refuses data for its license): exact
 * expressions as they are, near misses corrected (and said so), anything else as NOASSERTION.
 */
export function readRecordedLicense(taxonomy: Taxonomy, recorded: string): LicenseReading {
  try {
    return { recorded, expression: parseExpression(recorded, taxonomy).expression };
  } catch {
    try {
      const corrected = parseExpression(recorded, taxonomy, { correct: true });
      return {
        recorded,
        expression: corrected.expression,
        note: `"${recorded}" is not a valid SPDX expression; read as ${corrected.expression}`,
      };
    } catch {
      return {
        recorded,
        expression: 'NOASSERTION',
        note: `"${recorded}" is not a license origin recognises; read as unknown (NOASSERTION)`,
      };
    }
  }
}

export interface SessionLicenseAnalysis {
  session_id: string;
  result: PropagationResult;
  /** Recorded license strings the engine had to reinterpret. */
  readings: LicenseReading[];
}

/** Propagation (permissions ∩, restrictions ∪, conditions ∪, findings) for one session. */
export function analyzeSession(
  store: Store,
  taxonomy: Taxonomy,
  session: SessionRow,
  use?: IntendedUse,
): SessionLicenseAnalysis {
  const readings = new Map<string, LicenseReading>();
  const counts: LicenseCount[] = sessionSources(store, session.id).map((row) => {
    let reading = readings.get(row.license);
    if (!reading) {
      reading = readRecordedLicense(taxonomy, row.license);
      readings.set(row.license, reading);
    }
    return {
      source: row.source,
      license: reading.expression,
      records: row.records,
      bytes: row.bytes,
    };
  });
  return {
    session_id: session.uid,
    result: propagate(taxonomy, counts, {
      use,
      metadata: JSON.parse(session.metadata) as Record<string, string>,
    }),
    readings: [...readings.values()].filter((r) => r.note !== undefined),
  };
}

export type FailOn = 'conflict' | 'warning' | 'none';

export interface ConflictEntry {
  session_id: string;
  rule: string;
  severity: 'conflict' | 'warning';
  licenses: readonly string[];
  explanation: string;
  hint: string | null;
  sources: readonly string[];
  records: number;
  bytes: number;
  involved: PropagatedFinding['involved'];
  /** The waiver in force that accepts this finding (then it is listed under `waived`). */
  waiver?: WaiverNote;
  /** A waiver that covered this finding but has expired: the finding counts again. */
  expired_waiver?: WaiverNote;
  /** With --baseline: whether the baseline report had this finding already. */
  in_baseline?: boolean;
}

export interface ConflictsReport {
  intended_use: IntendedUse;
  fail_on: FailOn;
  sessions: {
    session_id: string;
    license: string;
    use_category: string;
    compatible: boolean;
    records: number;
    permissions: readonly string[];
    restrictions: readonly string[];
    conditions: readonly string[];
  }[];
  /** Findings in force (not waived). */
  conflicts: ConflictEntry[];
  warnings: ConflictEntry[];
  /** Findings a waiver in force accepts, each with its waiver. */
  waived: ConflictEntry[];
  notes: { session_id: string; recorded: string; note: string }[];
  /** With --baseline: the file, and how many findings in force it did not have. */
  baseline: { file: string; new_conflicts: number; new_warnings: number } | null;
  failed: boolean;
}

/** A finding of the propagation as the reports show it. */
export function toEntry(sessionId: string, f: PropagatedFinding): ConflictEntry {
  return {
    session_id: sessionId,
    rule: f.rule,
    severity: f.severity,
    licenses: f.licenses,
    explanation: f.message,
    hint: f.hint ?? null,
    sources: f.sources,
    records: f.records,
    bytes: f.bytes,
    involved: f.involved,
  };
}

/** Conflicts and warnings of one session or of every session, and whether --fail-on is reached. */
export function conflictsReport(
  store: Store,
  taxonomy: Taxonomy,
  options: {
    session?: string;
    use?: IntendedUse;
    failOn: FailOn;
    /** Waivers besides the overlay's (--waivers FILE). */
    waivers?: readonly Waiver[];
    /** The day waivers are judged on (YYYY-MM-DD, UTC); default: today. */
    today?: string;
    baseline?: Baseline;
  },
): ConflictsReport {
  const sessions =
    options.session !== undefined
      ? [getSession(store, options.session)]
      : store.all<SessionRow>('SELECT * FROM sessions ORDER BY started_at, id');
  const use = options.use ?? taxonomy.settings.default_use;
  const report: ConflictsReport = {
    intended_use: use,
    fail_on: options.failOn,
    sessions: [],
    conflicts: [],
    warnings: [],
    waived: [],
    notes: [],
    baseline: null,
    failed: false,
  };
  const waivers = [...taxonomy.waivers, ...(options.waivers ?? [])];
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const file = (entry: ConflictEntry): void => {
    const { waived, expired } = waiverFor(waivers, entry, today);
    if (waived) {
      report.waived.push({ ...entry, waiver: waived });
      return;
    }
    const judged: ConflictEntry = { ...entry, ...(expired ? { expired_waiver: expired } : {}) };
    if (options.baseline) judged.in_baseline = options.baseline.has(judged);
    (entry.severity === 'conflict' ? report.conflicts : report.warnings).push(judged);
  };
  for (const session of sessions) {
    const { result, readings } = analyzeSession(store, taxonomy, session, use);
    report.sessions.push({
      session_id: session.uid,
      license: result.license,
      use_category: result.use_category,
      compatible: result.compatible,
      records: result.totals.records,
      permissions: result.permissions,
      restrictions: result.restrictions,
      conditions: result.conditions,
    });
    result.conflicts.forEach((f) => file(toEntry(session.uid, f)));
    result.warnings.forEach((f) => file(toEntry(session.uid, f)));
    report.notes.push(
      ...readings.map((r) => ({
        session_id: session.uid,
        recorded: r.recorded,
        note: r.note as string,
      })),
    );
  }
  // With a baseline, only findings it did not have count.
  const counted = (entries: ConflictEntry[]): number =>
    entries.filter((e) => e.in_baseline !== true).length;
  if (options.baseline) {
    report.baseline = {
      file: options.baseline.file,
      new_conflicts: counted(report.conflicts),
      new_warnings: counted(report.warnings),
    };
  }
  report.failed =
    (options.failOn === 'conflict' && counted(report.conflicts) > 0) ||
    (options.failOn === 'warning' && counted(report.conflicts) + counted(report.warnings) > 0);
  return report;
}

export interface QueryReport {
  query: string;
  /** The license ids the query stands for. */
  licenses: readonly string[];
  samples: number;
  records: number;
  bytes: number;
  sessions: { session_id: string; records: number; bytes: number }[];
  sources: { source: string; license: string; records: number; bytes: number }[];
}

/**
 * Which samples, sources and sessions were recorded under a license: every recorded expression
 * that names one of the query's licenses matches (`MIT` matches `MIT OR Apache-2.0`).
 */
export function queryLicense(
  store: Store,
  taxonomy: Taxonomy,
  query: string,
  sessionFilter?: string,
): QueryReport {
  const wanted: ParsedExpression = parseExpression(query, taxonomy);
  const wantedIds = new Set(wanted.licenses);
  const matchingLicenses = store
    .all<{ id: number; expression: string }>('SELECT id, expression FROM licenses')
    .filter((l) => {
      const reading = readRecordedLicense(taxonomy, l.expression);
      if (reading.expression === wanted.expression) return true;
      try {
        return parseExpression(reading.expression, taxonomy).licenses.some((id) =>
          wantedIds.has(id),
        );
      } catch {
        return false;
      }
    })
    .map((l) => l.id);
  const session = sessionFilter !== undefined ? getSession(store, sessionFilter) : undefined;
  const report: QueryReport = {
    query,
    licenses: wanted.licenses,
    samples: 0,
    records: 0,
    bytes: 0,
    sessions: [],
    sources: [],
  };
  if (matchingLicenses.length === 0) return report;
  const placeholders = matchingLicenses.map(() => '?').join(',');
  const sessionClause = session ? 'AND so.session_id = ?' : '';
  const params = session ? [...matchingLicenses, session.id] : matchingLicenses;
  const rows = store.all<{
    uid: string;
    session_id: number;
    origin_id: number;
    source: string;
    license: string;
    records: number;
    bytes: number;
  }>(
    `SELECT se.uid AS uid, so.session_id AS session_id, so.origin_id AS origin_id, s.name AS source, l.expression AS license,
            so.records AS records, so.bytes AS bytes
       FROM session_origins so
       JOIN origins o ON o.id = so.origin_id
       JOIN sources s ON s.id = o.source_id
       JOIN licenses l ON l.id = o.license_id
       JOIN sessions se ON se.id = so.session_id
      WHERE o.license_id IN (${placeholders}) ${sessionClause}
      ORDER BY se.started_at, se.id`,
    params,
  );
  const bySession = new Map<string, { session_id: string; records: number; bytes: number }>();
  const bySource = new Map<
    string,
    { source: string; license: string; records: number; bytes: number }
  >();
  for (const r of rows) {
    report.records += r.records;
    report.bytes += r.bytes;
    const s = bySession.get(r.uid) ?? { session_id: r.uid, records: 0, bytes: 0 };
    s.records += r.records;
    s.bytes += r.bytes;
    bySession.set(r.uid, s);
    const key = `${r.source}\u0000${r.license}`;
    const src = bySource.get(key) ?? { source: r.source, license: r.license, records: 0, bytes: 0 };
    src.records += r.records;
    src.bytes += r.bytes;
    bySource.set(key, src);
  }
  report.sessions = [...bySession.values()];
  report.sources = [...bySource.values()].sort((a, b) => b.records - a.records);
  report.samples = countDistinctUnderOrigins(
    store,
    new Set(rows.map((r) => r.origin_id)),
    new Set(rows.map((r) => r.session_id)),
  );
  return report;
}

/** Distinct contents observed under these origins in these sessions (reads the batch columns). */
function countDistinctUnderOrigins(
  store: Store,
  originIds: Set<number>,
  sessionIds: Set<number>,
): number {
  if (originIds.size === 0) return 0;
  const seen = new Set<string>();
  const ids = [...sessionIds];
  const stmt = store.db.prepare(
    `SELECT record_count, fingerprints, origins FROM batches WHERE session_id IN (${ids.map(() => '?').join(',')})`,
  );
  try {
    stmt.bind(ids);
    while (stmt.step()) {
      const [count, fps, origins] = stmt.get() as [number, Uint8Array, Uint8Array];
      const perRecord = decodeOrigins(origins, count);
      const buf = Buffer.from(fps.buffer, fps.byteOffset, fps.byteLength);
      for (let i = 0; i < count; i++) {
        if (originIds.has(perRecord[i])) seen.add(buf.toString('latin1', i * 32, i * 32 + 32));
      }
    }
  } finally {
    stmt.free();
  }
  return seen.size;
}
