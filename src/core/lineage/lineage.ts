/**
 * Model lineage (SPEC.md §3): training runs, datasets, evaluations and predictions as a
 * hash-linked DAG of lifecycle events.
 *
 *     event hash = SHA-256( JCS({"type", "parents": [sorted hex hashes], "payload", "timestamp"}) )
 *
 * JCS (RFC 8785) makes the pre-image unambiguous: strings are JSON-escaped, so no value can
 * imitate a delimiter, and numbers are written in ES6 shortest round-trip form. The payload is
 * stored as its JCS text and the parent links as rows of `event_parents`; `verifyLineage`
 * re-derives every hash from exactly what is stored.
 *
 * Decisions (documented in the command help):
 * - Recording an event whose hash already exists changes nothing and reports the existing event.
 * - Timestamps are normalised to RFC 3339 UTC with milliseconds; finer digits are truncated.
 * - `--param` values stay strings, exactly as typed; typed values go through --from-json.
 * - Metrics are JSON numbers (IEEE-754 doubles). A numeral a double cannot hold exactly
 *   (more than 17 significant digits, overflow, underflow) is refused rather than rounded.
 * - A reference in a payload (an evaluation's `dataset`, a prediction's `model_event`) is also a
 *   parent, so the DAG alone answers "what is this built on".
 * - A `dataset` event may link a session that has ended: its checksum is then the session root
 *   and its rows the session's record count. An open session is refused: its root still moves.
 */
import { readFileSync } from 'node:fs';
import { StoreError, UsageError } from '../errors';
import { sha256, toHex } from '../merkle';
import { canonicalJson } from '../samples/fingerprint';
import { SessionRow, getSession, parseKeyValues } from '../sessions/session';
import { Store } from '../store/store';
import { nowUtc } from '../time';

export const EVENT_TYPES = ['training', 'dataset', 'evaluation', 'prediction'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type Payload = { [key: string]: JsonValue };

/** What the hash covers. Parents are lowercase hex hashes, in any order (they are sorted). */
export interface EventContent {
  type: string;
  parents: readonly string[];
  payload: Payload;
  timestamp: string;
}

/** An event as printed with --json: full hashes, parents sorted. */
export interface LineageEvent {
  hash: string;
  type: string;
  parents: string[];
  payload: Payload;
  timestamp: string;
}

/** A row of `events`. */
interface EventRow {
  id: number;
  hash: Uint8Array;
  type: string;
  timestamp: string;
  payload: string;
  session_id: number | null;
}

/** Shortest accepted hash prefix (SPEC.md §5 uses 6 for sessions; events are more numerous). */
export const MIN_HASH_PREFIX = 8;

const LIST_HINT = 'list events with `origin lineage list`';

// ---------------------------------------------------------------------------------------------
// Hashing (SPEC.md §3)

/** The exact bytes that are hashed: JCS of {type, parents (sorted), payload, timestamp}. */
export function eventPreimage(content: EventContent): string {
  return canonicalJson({
    type: content.type,
    parents: [...content.parents].sort(),
    payload: content.payload,
    timestamp: content.timestamp,
  });
}

/** SHA-256 of the event's pre-image (32 bytes). */
export function eventHash(content: EventContent): Buffer {
  return sha256(eventPreimage(content));
}

// ---------------------------------------------------------------------------------------------
// Values: times, numbers, strings

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Parses an RFC 3339 date-time (any offset, any fraction) and returns it in the one form Origin
 * stores: UTC with milliseconds (`2024-05-01T12:00:00.000Z`). Digits beyond the millisecond are
 * truncated. Throws a UsageError naming `what` otherwise.
 */
export function normalizeTimestamp(text: string, what = 'timestamp'): string {
  const bad = (why: string): UsageError =>
    new UsageError(
      `${what} "${text}" ${why}`,
      'write an RFC 3339 time such as 2024-05-01T12:00:00Z or 2024-05-01T14:00:00.250+02:00',
    );
  const m = RFC3339.exec(text.trim());
  if (!m) throw bad('is not an RFC 3339 date-time');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const fraction = m[7] ?? '';
  const offsetSign = m[9] === '-' ? -1 : 1;
  const offsetHours = m[8] ? 0 : Number(m[10]);
  const offsetMinutes = m[8] ? 0 : Number(m[11]);
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const leap = month === 2 && day === 29;
  const isLeapYear = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    (leap && !isLeapYear) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    throw bad('is not a valid date and time');
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(`${fraction}000`.slice(0, 3)));
  const utc = new Date(
    date.getTime() - offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000,
  ).toISOString();
  if (!CANONICAL_TIME.test(utc)) throw bad('is outside the years 0000-9999 in UTC');
  return utc;
}

/** True when `text` is exactly the stored form: RFC 3339 UTC with milliseconds, a real instant. */
export function isCanonicalTimestamp(text: unknown): boolean {
  if (typeof text !== 'string' || !CANONICAL_TIME.test(text)) return false;
  const time = new Date(text);
  return !Number.isNaN(time.getTime()) && time.toISOString() === text;
}

const NUMERAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Significant digits and exponent of a decimal numeral: value = ±0.DIGITS × 10^exponent. */
function decimalForm(numeral: string): { digits: string; exponent: number } {
  const m = NUMERAL.exec(numeral);
  if (!m) return { digits: 'x', exponent: 0 };
  const whole = m[2];
  let digits = whole + (m[3] ?? '');
  let exponent = whole.length + Number(m[4] ?? 0);
  const trimmed = digits.replace(/^0+/, '');
  exponent -= digits.length - trimmed.length;
  digits = trimmed.replace(/0+$/, '');
  return digits === '' ? { digits: '', exponent: 0 } : { digits, exponent };
}

/**
 * True when the decimal numeral denotes a finite IEEE-754 double exactly, i.e. JSON (and JCS)
 * keep the very number that was written: `0.1` yes, `0.10000000000000001` or `1e400` no.
 */
export function isExactNumber(numeral: string): boolean {
  const n = Number(numeral);
  if (!NUMERAL.test(numeral) || !Number.isFinite(n)) return false;
  const written = decimalForm(numeral);
  const kept = decimalForm(String(n));
  return written.digits === kept.digits && written.exponent === kept.exponent;
}

const METRIC_NUMERAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a metric value: a finite decimal number, kept exactly or refused. */
export function parseMetricValue(name: string, text: string): number {
  const where = `--metric ${name}=${text}`;
  if (!METRIC_NUMERAL.test(text.trim())) {
    throw new UsageError(
      `${where}: the value is not a number`,
      'write it as --metric accuracy=0.913',
    );
  }
  const value = Number(text.trim());
  if (!Number.isFinite(value)) throw new UsageError(`${where}: the value is not finite`);
  if (!isExactNumber(text.trim())) {
    throw new UsageError(
      `${where}: a JSON number cannot hold this value exactly (it would become ${String(value)})`,
      'give at most 17 significant digits, or record the value as a string with --from-json',
    );
  }
  return value;
}

/** Refuses any number in a JSON text that parsing would round (checked token by token). */
function assertExactNumbers(text: string, where: string): void {
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    if (m[0].startsWith('"') || isExactNumber(m[0])) continue;
    throw new UsageError(
      `${where}: the number ${m[0]} cannot be kept exactly (a JSON number is an IEEE-754 double; it would become ${String(Number(m[0]))})`,
      'write it with at most 17 significant digits, or as a string to keep every digit',
    );
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Checks that a parsed value is plain JSON whose strings are valid Unicode (JCS needs both). */
function assertJsonValue(value: unknown, where: string): asserts value is JsonValue {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new UsageError(`${where} is not a finite number`);
    return;
  }
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      throw new UsageError(`${where} holds an unpaired UTF-16 surrogate (not valid Unicode)`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonValue(item, `${where}[${i}]`));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      assertJsonValue(key, `${where} key "${key}"`);
      assertJsonValue(item, `${where}.${key}`);
    }
    return;
  }
  throw new UsageError(`${where} is not a JSON value`);
}

function isPayload(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Looking events up

function eventRow(store: Store, hash: Uint8Array): EventRow | undefined {
  return store.get<EventRow>('SELECT * FROM events WHERE hash = ?', [hash]);
}

/**
 * Finds an event by its full hash or a unique prefix of at least 8 hex characters.
 * Unknown, ambiguous or malformed references are usage errors (exit 2).
 */
function resolveEventRow(store: Store, ref: string, what = 'event'): EventRow {
  const wanted = ref.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(wanted) || wanted.length > 64) {
    throw new UsageError(
      `${what} "${ref}" is not an event hash (64 hex characters, or a prefix of 8 or more)`,
      LIST_HINT,
    );
  }
  if (wanted.length < MIN_HASH_PREFIX) {
    throw new UsageError(
      `${what} hash prefix "${ref}" is too short`,
      `give at least ${MIN_HASH_PREFIX} characters; ${LIST_HINT}`,
    );
  }
  const rows =
    wanted.length === 64
      ? store.all<EventRow>('SELECT * FROM events WHERE hash = ?', [Buffer.from(wanted, 'hex')])
      : store.all<EventRow>(
          'SELECT * FROM events WHERE substr(lower(hex(hash)), 1, ?) = ? ORDER BY hash LIMIT 11',
          [wanted.length, wanted],
        );
  if (rows.length === 0) {
    throw new UsageError(`no lineage event matches ${what} "${ref}"`, LIST_HINT);
  }
  if (rows.length > 1) {
    const shown = rows.slice(0, 10).map((r) => `  ${toHex(r.hash)}  ${r.type}  ${r.timestamp}`);
    throw new UsageError(
      `${what} hash prefix "${ref}" is ambiguous; it matches:\n${shown.join('\n')}${rows.length > 10 ? '\n  …' : ''}`,
      'give more characters of the hash',
    );
  }
  return rows[0];
}

function parsePayloadText(row: EventRow): Payload {
  let value: unknown;
  try {
    value = JSON.parse(row.payload);
  } catch {
    value = undefined;
  }
  if (!isPayload(value)) {
    throw new StoreError(
      `lineage event ${toHex(row.hash)} has a damaged payload`,
      'run `origin lineage verify` to see every damaged event',
    );
  }
  return value;
}

function parentHashes(store: Store, childId: number): string[] {
  return store
    .all<{
      hash: Uint8Array;
    }>(
      'SELECT p.hash AS hash FROM event_parents ep JOIN events p ON p.id = ep.parent_id WHERE ep.child_id = ?',
      [childId],
    )
    .map((r) => toHex(r.hash))
    .sort();
}

function toEvent(store: Store, row: EventRow): LineageEvent {
  return {
    hash: toHex(row.hash),
    type: row.type,
    parents: parentHashes(store, row.id),
    payload: parsePayloadText(row),
    timestamp: row.timestamp,
  };
}

/** Every event, oldest recorded first, optionally of one type. */
export function listEvents(store: Store, filter: { type?: string } = {}): LineageEvent[] {
  const rows = filter.type
    ? store.all<EventRow>('SELECT * FROM events WHERE type = ? ORDER BY id', [filter.type])
    : store.all<EventRow>('SELECT * FROM events ORDER BY id');
  return rows.map((row) => toEvent(store, row));
}

/**
 * An event's payload as one line of `key=value` pairs (nested keys dotted, e.g.
 * `metrics.accuracy=0.913`), for tables and cards. Strings with spaces, quotes or `=` are
 * JSON-quoted; 64-hex hashes are cut to `hashLength` characters followed by "…" when shorter.
 */
export function eventSummary(event: Pick<LineageEvent, 'payload'>, hashLength = 64): string {
  const scalar = (value: JsonValue): string => {
    if (typeof value !== 'string') return JSON.stringify(value);
    if (/^[0-9a-f]{64}$/.test(value) && hashLength < 64) return `${value.slice(0, hashLength)}…`;
    return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  };
  const out: string[] = [];
  const walk = (prefix: string, value: JsonValue): void => {
    if (isPayload(value)) {
      for (const [key, item] of Object.entries(value)) walk(`${prefix}${key}.`, item);
    } else out.push(`${prefix.slice(0, -1)}=${scalar(value)}`);
  };
  walk('', event.payload);
  return out.join('  ');
}

// ---------------------------------------------------------------------------------------------
// Recording

/** One event to record: from flags (payloadFromFlags) or from --from-json. */
export interface EventInput {
  type: string;
  payload: Payload;
  /** Parent hashes or unique prefixes (8+ hex characters). */
  parents?: readonly string[];
  /** RFC 3339; default now. Normalised to UTC milliseconds. */
  timestamp?: string;
  /** If given (e.g. replaying `lineage list --json`), the computed hash must equal it. */
  hash?: string;
}

export interface RecordedEvent {
  event: LineageEvent;
  /** False when an identical event (same hash) was already recorded: nothing changed. */
  created: boolean;
}

function checkType(type: string): EventType {
  if (!(EVENT_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(
      `"${type}" is not a lineage event type`,
      `use one of ${EVENT_TYPES.join(', ')}`,
    );
  }
  return type as EventType;
}

function optionalString(payload: Payload, key: string, type: string): string | undefined {
  const value = payload[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new UsageError(`a ${type} event's "${key}" must be a non-empty string`);
  }
  return value;
}

function normalizeTimeField(payload: Payload, key: string, type: string): string | undefined {
  const value = optionalString(payload, key, type);
  if (value === undefined) return undefined;
  payload[key] = normalizeTimestamp(value, `a ${type} event's "${key}"`);
  return payload[key] as string;
}

/** Resolves a payload reference to another event: full hash in the payload, and a parent. */
function resolveReference(
  store: Store,
  payload: Payload,
  key: string,
  wantedType: EventType,
  type: EventType,
  parents: Map<string, EventRow>,
): void {
  const ref = optionalString(payload, key, type);
  if (ref === undefined) return;
  const row = resolveEventRow(store, ref, `${type} ${key}`);
  if (row.type !== wantedType) {
    throw new UsageError(
      `a ${type} event's ${key} must be a ${wantedType} event; ${toHex(row.hash)} is a ${row.type} event`,
    );
  }
  const hex = toHex(row.hash);
  payload[key] = hex;
  parents.set(hex, row);
}

function normalizeTraining(payload: Payload): void {
  for (const key of ['run_id', 'model', 'model_version']) optionalString(payload, key, 'training');
  if (payload.model === undefined && payload.run_id === undefined) {
    throw new UsageError('a training event needs a model or a run id', 'give --model or --run-id');
  }
  if (payload.params !== undefined && !isPayload(payload.params)) {
    throw new UsageError(`a training event's "params" must be an object`);
  }
  const started = normalizeTimeField(payload, 'started_at', 'training');
  const finished = normalizeTimeField(payload, 'finished_at', 'training');
  if (started !== undefined && finished !== undefined && finished < started) {
    throw new UsageError(
      `a training run cannot finish (${finished}) before it starts (${started})`,
    );
  }
}

/** Validates a dataset payload; links its session if it names one. Returns the session row id. */
function normalizeDataset(store: Store, payload: Payload): number | null {
  for (const key of ['name', 'version', 'checksum']) optionalString(payload, key, 'dataset');
  const rows = payload.rows;
  if (rows !== undefined && (typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < 0)) {
    throw new UsageError(`a dataset event's "rows" must be a non-negative integer`);
  }
  const sessionRef = optionalString(payload, 'session_id', 'dataset');
  if (sessionRef === undefined) {
    if (payload.name === undefined && payload.checksum === undefined) {
      throw new UsageError(
        'a dataset event needs a name, a checksum or a session',
        'give --name and --checksum, or --session ID to link a recorded session',
      );
    }
    return null;
  }
  const session = getSession(store, sessionRef);
  if (session.status === 'open') {
    throw new UsageError(
      `session ${session.uid} is still open; its root can still change`,
      `end it first: origin session end ${session.uid}`,
    );
  }
  const root = toHex(session.root);
  const checksum = payload.checksum;
  if (checksum !== undefined && String(checksum).toLowerCase() !== root) {
    throw new UsageError(
      `dataset checksum ${String(checksum)} is not the root of session ${session.uid} (${root})`,
      'leave the checksum out: a linked session supplies it',
    );
  }
  if (rows !== undefined && rows !== session.record_count) {
    throw new UsageError(
      `dataset rows ${rows} is not the record count of session ${session.uid} (${session.record_count})`,
      'leave the rows out: a linked session supplies them',
    );
  }
  payload.session_id = session.uid;
  payload.checksum = root;
  payload.rows = session.record_count;
  return session.id;
}

function normalizeEvaluation(store: Store, payload: Payload, parents: Map<string, EventRow>): void {
  const metrics = payload.metrics;
  if (!isPayload(metrics) || Object.keys(metrics).length === 0) {
    throw new UsageError(
      'an evaluation event needs at least one metric',
      'give --metric name=value, e.g. --metric accuracy=0.913',
    );
  }
  for (const [name, value] of Object.entries(metrics)) {
    if (typeof value !== 'number') {
      throw new UsageError(`evaluation metric "${name}" must be a number`);
    }
  }
  optionalString(payload, 'split', 'evaluation');
  resolveReference(store, payload, 'dataset', 'dataset', 'evaluation', parents);
}

function normalizePrediction(store: Store, payload: Payload, parents: Map<string, EventRow>): void {
  if (payload.model_event === undefined) {
    throw new UsageError(
      'a prediction event needs the training event of its model',
      'give --model-event HASH',
    );
  }
  resolveReference(store, payload, 'model_event', 'training', 'prediction', parents);
  const input = optionalString(payload, 'input_fingerprint', 'prediction');
  if (input === undefined || !/^[0-9a-fA-F]{64}$/.test(input)) {
    throw new UsageError(
      'a prediction event needs the SHA-256 fingerprint of its input (64 hex characters)',
      "give --input-fingerprint, e.g. $(printf '%s' \"$INPUT\" | sha256sum | cut -d' ' -f1)",
    );
  }
  payload.input_fingerprint = input.toLowerCase();
}

function insertEvent(store: Store, input: EventInput, now: () => string): RecordedEvent {
  const type = checkType(input.type);
  if (!isPayload(input.payload)) throw new UsageError('an event payload must be a JSON object');
  assertJsonValue(input.payload, 'payload');
  const payload: Payload = { ...input.payload };
  const timestamp =
    input.timestamp === undefined ? now() : normalizeTimestamp(input.timestamp, 'timestamp');
  const parents = new Map<string, EventRow>();
  for (const ref of input.parents ?? []) {
    const row = resolveEventRow(store, ref, 'parent');
    parents.set(toHex(row.hash), row);
  }
  let sessionId: number | null = null;
  if (type === 'training') normalizeTraining(payload);
  else if (type === 'dataset') sessionId = normalizeDataset(store, payload);
  else if (type === 'evaluation') normalizeEvaluation(store, payload, parents);
  else normalizePrediction(store, payload, parents);

  const parentList = [...parents.keys()].sort();
  const hash = eventHash({ type, parents: parentList, payload, timestamp });
  const payloadText = canonicalJson(payload);
  const event: LineageEvent = {
    hash: toHex(hash),
    type,
    parents: parentList,
    // As stored and as every other command prints it: keys in JCS order.
    payload: JSON.parse(payloadText) as Payload,
    timestamp,
  };
  if (input.hash !== undefined && input.hash.toLowerCase() !== event.hash) {
    throw new UsageError(
      `the event's given hash ${input.hash} is not its content's hash ${event.hash}`,
      'the type, parents, payload or timestamp differ from what was hashed',
    );
  }
  if (eventRow(store, hash)) return { event, created: false };
  store.run(
    'INSERT INTO events (hash, type, timestamp, payload, session_id) VALUES (?, ?, ?, ?, ?)',
    [hash, type, timestamp, payloadText, sessionId],
  );
  const id = store.scalar<number>('SELECT last_insert_rowid()');
  for (const parent of parents.values()) {
    store.run('INSERT INTO event_parents (child_id, parent_id) VALUES (?, ?)', [id, parent.id]);
  }
  return { event, created: true };
}

/**
 * Records events in order, all or nothing: an event may name an earlier one of the same call as
 * its parent. An event already recorded (same hash) is reported with `created: false`. The store
 * is marked changed only when something was added. Errors name the input (`labels[i]`).
 */
export function recordEvents(
  store: Store,
  inputs: readonly EventInput[],
  options: { labels?: readonly string[]; now?: () => string } = {},
): RecordedEvent[] {
  const now = options.now ?? nowUtc;
  const results: RecordedEvent[] = [];
  store.run('BEGIN');
  try {
    inputs.forEach((input, i) => {
      try {
        results.push(insertEvent(store, input, now));
      } catch (err) {
        const label = options.labels?.[i];
        if (label && err instanceof UsageError) {
          throw new UsageError(`${label}: ${err.message}`, err.hint);
        }
        throw err;
      }
    });
    store.run('COMMIT');
  } catch (err) {
    store.run('ROLLBACK');
    throw err;
  }
  if (results.some((r) => r.created)) store.markChanged();
  return results;
}

/** Records one event; see recordEvents. */
export function recordEvent(
  store: Store,
  input: EventInput,
  now: () => string = nowUtc,
): RecordedEvent {
  return recordEvents(store, [input], { now })[0];
}

/** The command-line fields of `origin lineage record` (flag names in FLAG_NAMES). */
export interface RecordFlags {
  runId?: string;
  model?: string;
  modelVersion?: string;
  params?: readonly string[];
  started?: string;
  finished?: string;
  name?: string;
  version?: string;
  checksum?: string;
  rows?: number;
  session?: string;
  metrics?: readonly string[];
  dataset?: string;
  split?: string;
  modelEvent?: string;
  inputFingerprint?: string;
  output?: string;
}

export const FLAG_NAMES: Record<keyof RecordFlags, string> = {
  runId: '--run-id',
  model: '--model',
  modelVersion: '--model-version',
  params: '--param',
  started: '--started',
  finished: '--finished',
  name: '--name',
  version: '--version',
  checksum: '--checksum',
  rows: '--rows',
  session: '--session',
  metrics: '--metric',
  dataset: '--dataset',
  split: '--split',
  modelEvent: '--model-event',
  inputFingerprint: '--input-fingerprint',
  output: '--output',
};

const FLAGS_BY_TYPE: Record<EventType, readonly (keyof RecordFlags)[]> = {
  training: ['runId', 'model', 'modelVersion', 'params', 'started', 'finished'],
  dataset: ['name', 'version', 'checksum', 'rows', 'session'],
  evaluation: ['metrics', 'dataset', 'split'],
  prediction: ['modelEvent', 'inputFingerprint', 'output'],
};

function isGiven(value: RecordFlags[keyof RecordFlags]): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** True when any payload flag is set (they cannot be combined with --from-json). */
export function anyPayloadFlag(flags: RecordFlags): string | undefined {
  const key = (Object.keys(FLAG_NAMES) as (keyof RecordFlags)[]).find((k) => isGiven(flags[k]));
  return key === undefined ? undefined : FLAG_NAMES[key];
}

/**
 * Builds an event payload from command-line flags (snake_case keys, absent flags omitted).
 * A flag that belongs to another event type is a usage error.
 */
export function payloadFromFlags(typeName: string, flags: RecordFlags): Payload {
  const type = checkType(typeName);
  const allowed = FLAGS_BY_TYPE[type];
  for (const key of Object.keys(FLAG_NAMES) as (keyof RecordFlags)[]) {
    if (isGiven(flags[key]) && !allowed.includes(key)) {
      throw new UsageError(
        `${FLAG_NAMES[key]} does not apply to a ${type} event`,
        `flags for ${type}: ${allowed.map((k) => FLAG_NAMES[k]).join(', ')}`,
      );
    }
  }
  const payload: Payload = {};
  const set = (key: string, value: JsonValue | undefined): void => {
    if (value !== undefined) payload[key] = value;
  };
  if (type === 'training') {
    set('run_id', flags.runId);
    set('model', flags.model);
    set('model_version', flags.modelVersion);
    if (flags.params && flags.params.length > 0)
      set('params', parseKeyValues(flags.params, '--param'));
    set('started_at', flags.started);
    set('finished_at', flags.finished);
  } else if (type === 'dataset') {
    if (flags.session !== undefined && (flags.checksum !== undefined || flags.rows !== undefined)) {
      throw new UsageError(
        '--session sets the checksum and rows; do not give --checksum or --rows with it',
      );
    }
    set('name', flags.name);
    set('version', flags.version);
    set('checksum', flags.checksum);
    set('rows', flags.rows);
    set('session_id', flags.session);
  } else if (type === 'evaluation') {
    const metrics: Payload = {};
    for (const [name, text] of Object.entries(parseKeyValues(flags.metrics ?? [], '--metric'))) {
      metrics[name] = parseMetricValue(name, text);
    }
    if (Object.keys(metrics).length > 0) payload.metrics = metrics;
    set('dataset', flags.dataset);
    set('split', flags.split);
  } else {
    set('model_event', flags.modelEvent);
    set('input_fingerprint', flags.inputFingerprint);
    set('output', flags.output);
  }
  return payload;
}

const INPUT_KEYS = new Set(['type', 'payload', 'parents', 'timestamp', 'hash']);

function inputFromJson(value: unknown, where: string): EventInput {
  if (!isPayload(value)) {
    throw new UsageError(
      `${where}: an event must be a JSON object {"type", "payload", "parents"?, "timestamp"?}`,
    );
  }
  const unknown = Object.keys(value).filter((k) => !INPUT_KEYS.has(k));
  if (unknown.length > 0) {
    throw new UsageError(
      `${where}: unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}`,
      'an event has "type", "payload", and optionally "parents", "timestamp" and "hash"',
    );
  }
  const { type, payload, parents, timestamp, hash } = value;
  if (typeof type !== 'string') throw new UsageError(`${where}: "type" must be a string`);
  if (!isPayload(payload)) throw new UsageError(`${where}: "payload" must be a JSON object`);
  if (
    parents !== undefined &&
    (!Array.isArray(parents) || !parents.every((p) => typeof p === 'string'))
  ) {
    throw new UsageError(`${where}: "parents" must be an array of event hashes`);
  }
  if (timestamp !== undefined && typeof timestamp !== 'string') {
    throw new UsageError(`${where}: "timestamp" must be an RFC 3339 string`);
  }
  if (hash !== undefined && typeof hash !== 'string') {
    throw new UsageError(`${where}: "hash" must be a hex string`);
  }
  return {
    type,
    payload,
    parents: parents as string[] | undefined,
    timestamp,
    hash,
  };
}

export interface ParsedInputs {
  inputs: EventInput[];
  /** Where each input came from (`file:line`), for error messages. */
  labels: string[];
  /** True for JSON Lines input (then the output is JSON Lines as well). */
  lines: boolean;
}

/**
 * Parses --from-json text: one JSON object (pretty-printed or not), or JSON Lines of them.
 * Numbers that a double cannot hold exactly are refused, never rounded.
 */
export function parseEventInputs(text: string, source: string): ParsedInputs {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new UsageError(`${source} holds no event`);
  let whole: unknown;
  let wholeOk = false;
  try {
    whole = JSON.parse(body);
    wholeOk = true;
  } catch {
    wholeOk = false;
  }
  if (wholeOk) {
    if (Array.isArray(whole)) {
      throw new UsageError(
        `${source} is a JSON array`,
        "give one event object, or JSON Lines (one event per line), e.g. jq -c '.[]'",
      );
    }
    assertExactNumbers(body, source);
    return { inputs: [inputFromJson(whole, source)], labels: [source], lines: false };
  }
  const inputs: EventInput[] = [];
  const labels: string[] = [];
  body.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new UsageError(`${where}: invalid JSON (${(err as Error).message})`);
    }
    assertExactNumbers(line, where);
    inputs.push(inputFromJson(value, where));
    labels.push(where);
  });
  return { inputs, labels, lines: true };
}

// ---------------------------------------------------------------------------------------------
// The graph: trace, descendants

interface Graph {
  byId: Map<number, EventRow>;
  parentsOf: Map<number, number[]>;
  childrenOf: Map<number, number[]>;
}

function loadGraph(store: Store): Graph {
  const byId = new Map<number, EventRow>();
  for (const row of store.all<EventRow>('SELECT * FROM events ORDER BY id')) byId.set(row.id, row);
  const parentsOf = new Map<number, number[]>();
  const childrenOf = new Map<number, number[]>();
  const edges = store.all<{ child_id: number; parent_id: number }>(
    'SELECT child_id, parent_id FROM event_parents ORDER BY child_id, parent_id',
  );
  for (const { child_id, parent_id } of edges) {
    if (!parentsOf.has(child_id)) parentsOf.set(child_id, []);
    parentsOf.get(child_id)?.push(parent_id);
    if (!childrenOf.has(parent_id)) childrenOf.set(parent_id, []);
    childrenOf.get(parent_id)?.push(child_id);
  }
  return { byId, parentsOf, childrenOf };
}

/** The recorded session a dataset event links. */
export interface SessionLink {
  session_id: string;
  status: string;
  records: number;
  session_root: string;
}

/** One event of a trace, with its parents' events nested (nested form). */
export interface TraceNode extends LineageEvent {
  /** The session behind a dataset event, if it links one. */
  session?: SessionLink;
  parent_events: TraceNode[];
  /** True when this event was already expanded earlier in the tree (its ancestors are there). */
  repeated?: boolean;
}

/**
 * One event of a trace, each once (list form): breadth-first from the leaf, with its shortest
 * distance from the leaf; within one depth newest first.
 */
export interface TraceItem extends LineageEvent {
  depth: number;
  session?: SessionLink;
}

export interface LineageTrace {
  tree: TraceNode;
  events: TraceItem[];
}

function sessionLink(store: Store, row: EventRow): SessionLink | undefined {
  if (row.session_id === null) return undefined;
  const session = store.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [row.session_id]);
  if (!session) return undefined;
  return {
    session_id: session.uid,
    status: session.status,
    records: session.record_count,
    session_root: toHex(session.root),
  };
}

/**
 * Every path from an event to the roots of the DAG. The tree shows each event's ancestors at its
 * first occurrence only (later occurrences are marked `repeated`), so its size is bounded by the
 * number of links; the list form holds each event once, in breadth-first order from the leaf.
 */
export function traceEvent(store: Store, ref: string): LineageTrace {
  const leaf = resolveEventRow(store, ref);
  const graph = loadGraph(store);
  const events = new Map<number, LineageEvent>();
  const eventOf = (row: EventRow): LineageEvent => {
    let event = events.get(row.id);
    if (!event) {
      event = {
        hash: toHex(row.hash),
        type: row.type,
        parents: (graph.parentsOf.get(row.id) ?? [])
          .map((id) => graph.byId.get(id))
          .filter((p): p is EventRow => p !== undefined)
          .map((p) => toHex(p.hash))
          .sort(),
        payload: parsePayloadText(row),
        timestamp: row.timestamp,
      };
      events.set(row.id, event);
    }
    return event;
  };
  const withSession = <T extends object>(
    row: EventRow,
    value: T,
  ): T & { session?: SessionLink } => {
    const session = sessionLink(store, row);
    return session ? { ...value, session } : value;
  };
  const expanded = new Set<number>();
  const build = (row: EventRow, onPath: Set<number>): TraceNode => {
    const base = withSession(row, { ...eventOf(row) });
    if (expanded.has(row.id) || onPath.has(row.id)) {
      return { ...base, parent_events: [], repeated: true };
    }
    expanded.add(row.id);
    const path = new Set(onPath).add(row.id);
    const parentRows = (graph.parentsOf.get(row.id) ?? [])
      .map((id) => graph.byId.get(id))
      .filter((p): p is EventRow => p !== undefined)
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.id - a.id);
    return { ...base, parent_events: parentRows.map((p) => build(p, path)) };
  };
  const tree = build(leaf, new Set());

  const items: TraceItem[] = [];
  const seen = new Set<number>([leaf.id]);
  let frontier = [leaf];
  for (let depth = 0; frontier.length > 0; depth++) {
    const next: EventRow[] = [];
    for (const row of frontier) {
      items.push(withSession(row, { ...eventOf(row), depth }));
      for (const id of graph.parentsOf.get(row.id) ?? []) {
        const parent = graph.byId.get(id);
        if (parent && !seen.has(id)) {
          seen.add(id);
          next.push(parent);
        }
      }
    }
    // Within one depth: newest first, as in the tree.
    frontier = next.sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.id - a.id);
  }
  return { tree, events: items };
}

/** A training or evaluation event built on data of the given sessions. */
export interface ModelLink extends LineageEvent {
  /** Hashes of the session-linked dataset events it descends from. */
  via_datasets: string[];
  /** Ids of those sessions. */
  via_sessions: string[];
}

/**
 * The training events (and evaluations) that descend from dataset events linked to the given
 * sessions (`sessions.id` row ids): which models a sample's data went into. Oldest first.
 */
export function modelsForSessions(store: Store, sessionIds: readonly number[]): ModelLink[] {
  if (sessionIds.length === 0) return [];
  const graph = loadGraph(store);
  const wanted = new Set(sessionIds);
  const reached = new Map<number, { datasets: Set<string>; sessions: Set<string> }>();
  const uids = new Map<number, string>();
  for (const row of graph.byId.values()) {
    if (row.type !== 'dataset' || row.session_id === null || !wanted.has(row.session_id)) continue;
    let uid = uids.get(row.session_id);
    if (uid === undefined) {
      uid = store.get<{ uid: string }>('SELECT uid FROM sessions WHERE id = ?', [
        row.session_id,
      ])?.uid;
      if (uid === undefined) continue;
      uids.set(row.session_id, uid);
    }
    const datasetHash = toHex(row.hash);
    const seen = new Set<number>([row.id]);
    const stack = [...(graph.childrenOf.get(row.id) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (seen.has(id)) continue;
      seen.add(id);
      const entry = reached.get(id) ?? { datasets: new Set<string>(), sessions: new Set<string>() };
      entry.datasets.add(datasetHash);
      entry.sessions.add(uid);
      reached.set(id, entry);
      stack.push(...(graph.childrenOf.get(id) ?? []));
    }
  }
  const out: ModelLink[] = [];
  for (const id of [...reached.keys()].sort((a, b) => a - b)) {
    const row = graph.byId.get(id);
    if (!row || (row.type !== 'training' && row.type !== 'evaluation')) continue;
    const via = reached.get(id);
    out.push({
      ...toEvent(store, row),
      via_datasets: [...(via?.datasets ?? [])].sort(),
      via_sessions: [...(via?.sessions ?? [])].sort(),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Verification

export type LineageCheck =
  'missing' | 'hash' | 'payload' | 'timestamp' | 'parents' | 'reference' | 'dataset';

/** One thing wrong with one stored event. */
export interface LineageFailure {
  /** The event's stored hash (hex), or the hash asked for when no such event exists. */
  event: string;
  type: string | null;
  check: LineageCheck;
  message: string;
}

export interface LineageVerification {
  /** Events checked. */
  checked: number;
  failures: LineageFailure[];
}

const REFERENCES: Record<string, string> = { evaluation: 'dataset', prediction: 'model_event' };

function checkEvent(
  store: Store,
  graph: Graph,
  row: EventRow,
  sessions: Map<number, SessionRow | null>,
): LineageFailure[] {
  const failures: LineageFailure[] = [];
  const hex = toHex(row.hash);
  const fail = (check: LineageCheck, message: string): void => {
    failures.push({ event: hex, type: row.type, check, message });
  };
  if (row.hash.length !== 32) fail('hash', `the stored hash is ${row.hash.length} bytes, not 32`);

  let payload: Payload | undefined;
  try {
    const parsed: unknown = JSON.parse(row.payload);
    if (isPayload(parsed)) payload = parsed;
    else fail('payload', 'the stored payload is not a JSON object');
  } catch {
    fail('payload', 'the stored payload is not valid JSON');
  }
  if (payload !== undefined && canonicalJson(payload) !== row.payload) {
    fail('payload', 'the stored payload is not in canonical (RFC 8785) form');
  }
  if (!isCanonicalTimestamp(row.timestamp)) {
    fail('timestamp', `the timestamp "${row.timestamp}" is not RFC 3339 UTC with milliseconds`);
  }

  const parents: string[] = [];
  for (const parentId of graph.parentsOf.get(row.id) ?? []) {
    const parent = graph.byId.get(parentId);
    if (!parent) {
      fail('parents', `a parent link points at event row ${parentId}, which does not exist`);
      continue;
    }
    parents.push(toHex(parent.hash));
    if (parent.id >= row.id) {
      fail(
        'parents',
        `its parent ${toHex(parent.hash)} was recorded after it (a parent must exist first)`,
      );
    }
  }

  if (payload !== undefined) {
    const recomputed = toHex(
      eventHash({ type: row.type, parents, payload, timestamp: row.timestamp }),
    );
    if (recomputed !== hex) {
      fail(
        'hash',
        `its content no longer matches its hash (recomputed ${recomputed}): the type, payload, timestamp or parent links changed`,
      );
    }
    const refKey = REFERENCES[row.type];
    const ref = refKey === undefined ? undefined : payload[refKey];
    if (typeof ref === 'string' && !parents.includes(ref)) {
      fail('reference', `its ${refKey} ${ref} is not among its parents`);
    }
  }

  if (row.session_id !== null) {
    if (!sessions.has(row.session_id)) {
      sessions.set(
        row.session_id,
        store.get<SessionRow>('SELECT * FROM sessions WHERE id = ?', [row.session_id]) ?? null,
      );
    }
    const session = sessions.get(row.session_id);
    if (row.type !== 'dataset') {
      fail('dataset', `a ${row.type} event is linked to a session; only dataset events are`);
    } else if (!session) {
      fail('dataset', `its session (row ${row.session_id}) does not exist`);
    } else if (payload !== undefined) {
      const root = toHex(session.root);
      if (payload.session_id !== session.uid) {
        fail(
          'dataset',
          `it names session ${String(payload.session_id)} but is linked to session ${session.uid}`,
        );
      }
      if (payload.checksum !== root) {
        fail(
          'dataset',
          `its checksum ${String(payload.checksum)} is no longer the root of session ${session.uid} (${root})`,
        );
      }
      if (payload.rows !== session.record_count) {
        fail(
          'dataset',
          `its rows ${String(payload.rows)} are no longer the record count of session ${session.uid} (${session.record_count})`,
        );
      }
    }
  } else if (row.type === 'dataset' && payload !== undefined && payload.session_id !== undefined) {
    fail(
      'dataset',
      `it names session ${String(payload.session_id)} but its link to the session is gone`,
    );
  }
  return failures;
}

/**
 * Re-derives every lineage hash from what is stored (SPEC.md §3): for the given events and every
 * ancestor on every path to the roots, or for all events when no hashes are given. Checks the
 * payload (JSON object in JCS form), the timestamp format, the parent links (exist, recorded
 * earlier, covered by the hash), references among the parents, and that a dataset event's
 * checksum and rows still equal its session's root and record count.
 */
export function verifyLineage(store: Store, hashes?: readonly Uint8Array[]): LineageVerification {
  const graph = loadGraph(store);
  const failures: LineageFailure[] = [];
  let ids: number[];
  if (hashes === undefined) {
    ids = [...graph.byId.keys()];
  } else {
    const selected = new Set<number>();
    const stack: number[] = [];
    for (const hash of hashes) {
      const row = eventRow(store, hash);
      if (!row) {
        failures.push({
          event: toHex(hash),
          type: null,
          check: 'missing',
          message: 'no such lineage event is recorded',
        });
      } else stack.push(row.id);
    }
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (selected.has(id) || !graph.byId.has(id)) continue;
      selected.add(id);
      stack.push(...(graph.parentsOf.get(id) ?? []));
    }
    ids = [...selected];
  }
  ids.sort((a, b) => a - b);
  const sessions = new Map<number, SessionRow | null>();
  for (const id of ids) {
    const row = graph.byId.get(id);
    if (row) failures.push(...checkEvent(store, graph, row, sessions));
  }
  return { checked: ids.length, failures };
}

/** The failures of verifyLineage: empty when every checked event is intact. For `origin verify`. */
export function verifyEvents(store: Store, hashes?: Buffer[]): LineageFailure[] {
  return verifyLineage(store, hashes).failures;
}

/** Resolves an event reference (full hash or 8+ hex prefix) to its 32-byte hash; exit 2 if none. */
export function resolveEventHash(store: Store, ref: string): Buffer {
  return Buffer.from(resolveEventRow(store, ref).hash);
}

/** Reads and parses --from-json input: a file, or stdin for "-". */
export function readEventInputs(source: string): ParsedInputs {
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${source}: ${code ?? (err as Error).message}`);
  }
  return parseEventInputs(text, source === '-' ? 'stdin' : source);
}
