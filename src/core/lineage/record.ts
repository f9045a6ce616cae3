/**
 * Recording events, all or nothing. Decisions (documented in the command help):
 * - Recording an event whose hash already exists changes nothing and reports the existing event.
 * - A reference in a payload (an evaluation's `dataset`, a prediction's `model_event`) is also a
 *   parent, so the DAG alone answers "what is this built on".
 * - A `dataset` event may link a session that has ended: its checksum is then the session
 *   root, its session_head the session head (SPEC §2.3) and its rows the session's record
 *   count. An open session is refused: its root still moves.
 */
import { UsageError } from '../errors';
import { sealEvent } from '../store-log';
import { toHex } from '../merkle';
import { canonicalJson } from '../samples/fingerprint';
import { getSession } from '../sessions/session';
import { Store } from '../store/store';
import { nowUtc } from '../time';
import { EventRow, EventType, LineageEvent, Payload, checkEventType, isPayload } from './event';
import { eventHash } from './hash';
import { eventRow, resolveEventRow } from './lookup';
import { assertJsonValue, normalizeTimestamp } from './values';

/** One event to record: from the command's flags or from --from-json (parseEventInputs). */
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
  const head = toHex(session.head);
  const givenHead = payload.session_head;
  if (givenHead !== undefined && String(givenHead).toLowerCase() !== head) {
    throw new UsageError(
      `dataset session_head ${String(givenHead)} is not the head of session ${session.uid} (${head})`,
      'leave session_head out: a linked session supplies it',
    );
  }
  payload.session_id = session.uid;
  payload.checksum = root;
  payload.session_head = head;
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
  const type = checkEventType(input.type);
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
  sealEvent(store, id, hash);
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
