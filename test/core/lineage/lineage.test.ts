import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../../../src/core/errors';
import {
  EventInput,
  Payload,
  eventHash,
  eventPreimage,
  isExactNumber,
  modelsForSessions,
  normalizeTimestamp,
  parseEventInputs,
  recordEvent,
  recordEvents,
  traceEvent,
  verifyEvents,
} from '../../../src/core/lineage';
import { payloadFromFlags } from '../../../src/lineage-flags';
import { SessionRow, createSession, endSession } from '../../../src/core/sessions/session';
import { Store } from '../../../src/core/store/store';
import { tempDir } from '../../helpers/cli';
import { usageError } from '../../helpers/errors';

// Expected hashes are computed here, independently of src/: SHA-256 over canonical JSON written
// out by hand (RFC 8785: keys sorted, no whitespace, ES6 number form).
const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const T0 = '2024-05-01T12:00:00.000Z';
const fixedNow = (): string => T0;

describe('lineage event hashes (SPEC.md §3)', () => {
  it('hashes the JCS form of {type, parents sorted, payload, timestamp}', () => {
    const expected =
      '{"parents":[],"payload":{"model":"m","params":{"lr":"0.1"},"run_id":"r1"},"timestamp":"2024-05-01T12:00:00.000Z","type":"training"}';
    const content = {
      type: 'training',
      parents: [],
      payload: { run_id: 'r1', params: { lr: '0.1' }, model: 'm' },
      timestamp: T0,
    };
    expect(eventPreimage(content)).toBe(expected);
    expect(eventHash(content).toString('hex')).toBe(sha256Hex(expected));
  });

  it('sorts parents, whatever order they are given in', () => {
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    const expected = `{"parents":["${a}","${b}"],"payload":{},"timestamp":"${T0}","type":"prediction"}`;
    for (const parents of [
      [a, b],
      [b, a],
    ]) {
      const hash = eventHash({ type: 'prediction', parents, payload: {}, timestamp: T0 });
      expect(hash.toString('hex')).toBe(sha256Hex(expected));
    }
  });

  it('never lets delimiters in values collide', () => {
    const payloads: Payload[] = [
      { a: 'x|y=z', b: ',' },
      { a: 'x', b: 'y=z|,' },
      { a: 'x|y', b: 'z,' },
      { a: 'x|y=z,' },
      { 'a|b': 'x' },
      { a: 'b|x' },
      { a: 'x","b":"y' },
      { a: 'x', b: 'y' },
      { a: 'x=y', b: '' },
      { a: '', b: 'x=y' },
      { a: ['x', 'y'] },
      { a: 'x,y' },
      { a: '1' },
      { a: 1 },
      { parents: ['x'] },
    ];
    const hashes = payloads.map((payload) =>
      eventHash({ type: 'training', parents: [], payload, timestamp: T0 }).toString('hex'),
    );
    expect(new Set(hashes).size).toBe(payloads.length);
    // And the exact pre-image of one of them, escapes included.
    expect(
      eventPreimage({ type: 'training', parents: [], payload: payloads[6], timestamp: T0 }),
    ).toBe(
      `{"parents":[],"payload":{"a":"x\\",\\"b\\":\\"y"},"timestamp":"${T0}","type":"training"}`,
    );
    // A parent is not the same thing as a payload field of that name.
    const h = 'c'.repeat(64);
    expect(eventHash({ type: 't', parents: [h], payload: {}, timestamp: T0 })).not.toEqual(
      eventHash({ type: 't', parents: [], payload: { parents: [h] }, timestamp: T0 }),
    );
  });

  it('keeps metric values at full precision, in ES6 shortest round-trip form', () => {
    const payload = payloadFromFlags('evaluation', {
      metrics: ['accuracy=0.1', 'loss=1e-7', 'big=1e21', 'n=3.0', 'sum=0.30000000000000004'],
    });
    expect(payload).toEqual({
      metrics: { accuracy: 0.1, loss: 1e-7, big: 1e21, n: 3, sum: 0.30000000000000004 },
    });
    const expected = `{"parents":[],"payload":{"metrics":{"accuracy":0.1,"big":1e+21,"loss":1e-7,"n":3,"sum":0.30000000000000004}},"timestamp":"${T0}","type":"evaluation"}`;
    const content = { type: 'evaluation', parents: [], payload, timestamp: T0 };
    expect(eventPreimage(content)).toBe(expected);
    expect(eventHash(content).toString('hex')).toBe(sha256Hex(expected));
    // 0.3 and 0.1 + 0.2 are different numbers and different events.
    const other = payloadFromFlags('evaluation', { metrics: ['sum=0.3'] });
    const mine = payloadFromFlags('evaluation', { metrics: ['sum=0.30000000000000004'] });
    expect(eventHash({ ...content, payload: other })).not.toEqual(
      eventHash({ ...content, payload: mine }),
    );
  });

  it('refuses metric values a double would round or cannot hold', () => {
    for (const bad of [
      '0.12345678901234567890',
      '1e400',
      '1e-400',
      'NaN',
      'Infinity',
      '',
      ' ',
      '0x10',
      '1,5',
      'abc',
    ]) {
      expect(() => payloadFromFlags('evaluation', { metrics: [`m=${bad}`] })).toThrow(UsageError);
    }
    expect(isExactNumber('0.1')).toBe(true);
    expect(isExactNumber('100')).toBe(true);
    expect(isExactNumber('-2.50e3')).toBe(true);
    expect(isExactNumber('9007199254740993')).toBe(false);
    expect(isExactNumber('0.10000000000000001')).toBe(false);
  });

  it('keeps --param values as strings, exactly as typed', () => {
    expect(
      payloadFromFlags('training', { model: 'm', params: ['lr=3e-5', 'epochs=03', 'tag=a=b|c'] }),
    ).toEqual({ model: 'm', params: { lr: '3e-5', epochs: '03', tag: 'a=b|c' } });
    expect(() => payloadFromFlags('training', { model: 'm', metrics: ['a=1'] })).toThrow(
      '--metric does not apply to a training event',
    );
  });
});

describe('timestamps', () => {
  it('normalises RFC 3339 to UTC with milliseconds', () => {
    expect(normalizeTimestamp('2024-05-01T12:00:00Z')).toBe('2024-05-01T12:00:00.000Z');
    expect(normalizeTimestamp('2024-05-01T14:00:00.5+02:00')).toBe('2024-05-01T12:00:00.500Z');
    expect(normalizeTimestamp('2024-05-01t07:30:00.123456-04:30')).toBe('2024-05-01T12:00:00.123Z');
    expect(normalizeTimestamp('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(normalizeTimestamp('0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00.000Z');
  });

  it('refuses what is not a real RFC 3339 instant', () => {
    for (const bad of [
      '2024-05-01',
      '2024-05-01T12:00:00',
      '2024-02-30T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-05-01T24:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-05-01T12:00:60Z',
      'yesterday',
      '0000-01-01T00:00:00+01:00',
    ]) {
      expect(() => normalizeTimestamp(bad)).toThrow(UsageError);
    }
  });
});

describe('recording, verifying and tracing lineage', () => {
  let dir: string;
  let cleanup: () => void;
  let store: Store;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir('origin-lineage-'));
    store = await Store.open(join(dir, 'o.db'), { mode: 'create' });
  });
  afterEach(async () => {
    await store.abandon();
    cleanup();
  });

  const ended = (): SessionRow => endSession(store, createSession(store).uid, 'completed');
  const record = (input: EventInput): string => recordEvent(store, input, fixedNow).event.hash;

  it('records the hash of what it stores and is idempotent', async () => {
    const first = recordEvent(
      store,
      {
        type: 'training',
        payload: { model: 'm', run_id: 'r1' },
        timestamp: '2024-05-01T14:00:00+02:00',
      },
      fixedNow,
    );
    const expected = `{"parents":[],"payload":{"model":"m","run_id":"r1"},"timestamp":"${T0}","type":"training"}`;
    expect(first.created).toBe(true);
    expect(first.event.hash).toBe(sha256Hex(expected));
    expect(store.get('SELECT payload FROM events')).toEqual({
      payload: '{"model":"m","run_id":"r1"}',
    });

    await store.close();
    store = await Store.open(join(dir, 'o.db'), { mode: 'write' });
    const again = recordEvent(
      store,
      { type: 'training', payload: { run_id: 'r1', model: 'm' } },
      fixedNow,
    );
    expect(again).toEqual({ event: first.event, created: false });
    expect(store.changed).toBe(false);
    expect(store.scalar('SELECT count(*) FROM events')).toBe(1);
  });

  it('requires parents to exist, accepts unique prefixes of 8+ and refuses ambiguous ones', () => {
    const data = record({ type: 'dataset', payload: { name: 'd', checksum: 'abc' } });
    expect(
      usageError(() =>
        record({ type: 'training', payload: { model: 'm' }, parents: ['f'.repeat(64)] }),
      ).message,
    ).toMatch(/no lineage event matches parent/);
    expect(() =>
      record({ type: 'training', payload: { model: 'm' }, parents: [data.slice(0, 7)] }),
    ).toThrow(/too short/);
    const run = recordEvent(
      store,
      { type: 'training', payload: { model: 'm' }, parents: [data.slice(0, 8), data] },
      fixedNow,
    );
    expect(run.event.parents).toEqual([data]);

    // Two stored hashes sharing a 10-character prefix.
    for (const tail of ['0', '1']) {
      store.run(
        "INSERT INTO events (hash, type, timestamp, payload) VALUES (?, 'dataset', ?, '{}')",
        [Buffer.from(`abcdef0123${tail.repeat(54)}`, 'hex'), T0],
      );
    }
    expect(
      usageError(() =>
        record({ type: 'training', payload: { model: 'm' }, parents: ['abcdef0123'] }),
      ).message,
    ).toMatch(/ambiguous/);
  });

  it('links a dataset to an ended session: checksum = its root, rows = its records', () => {
    const session = ended();
    const { event } = recordEvent(
      store,
      { type: 'dataset', payload: { session_id: session.uid.slice(0, 6) } },
      fixedNow,
    );
    expect(event.payload).toEqual({
      checksum: Buffer.from(session.root).toString('hex'),
      rows: 0,
      session_head: Buffer.from(session.head).toString('hex'),
      session_id: session.uid,
    });
    expect(store.get('SELECT session_id FROM events')).toEqual({ session_id: session.id });
    const open = createSession(store);
    expect(() => record({ type: 'dataset', payload: { session_id: open.uid } })).toThrow(
      /still open/,
    );
    expect(() =>
      record({ type: 'dataset', payload: { session_id: session.uid, rows: 5 } }),
    ).toThrow(/not the record count/);
  });

  it('makes payload references parents, and checks their type', () => {
    const data = record({ type: 'dataset', payload: { name: 'd', checksum: 'abc' } });
    const run = record({ type: 'training', payload: { model: 'm' }, parents: [data] });
    const evaluation = recordEvent(
      store,
      {
        type: 'evaluation',
        payload: { metrics: { acc: 0.5 }, dataset: data.slice(0, 8) },
        parents: [run],
      },
      fixedNow,
    ).event;
    expect(evaluation.payload.dataset).toBe(data);
    expect(evaluation.parents).toEqual([data, run].sort());
    expect(() =>
      record({ type: 'evaluation', payload: { metrics: { acc: 1 }, dataset: run } }),
    ).toThrow(/must be a dataset event/);
    expect(() =>
      record({
        type: 'prediction',
        payload: { model_event: data, input_fingerprint: 'a'.repeat(64) },
      }),
    ).toThrow(/must be a training event/);
  });

  it('records JSON Lines all or nothing, later lines naming earlier ones', () => {
    const d = { type: 'dataset', payload: { name: 'd', checksum: 'abc' }, timestamp: T0 };
    const dHash = sha256Hex(
      `{"parents":[],"payload":{"checksum":"abc","name":"d"},"timestamp":"${T0}","type":"dataset"}`,
    );
    const good = parseEventInputs(
      `${JSON.stringify(d)}\n\n${JSON.stringify({ type: 'training', payload: { model: 'm', params: { lr: 0.001 } }, parents: [dHash] })}\r\n`,
      'in.jsonl',
    );
    expect(good.lines).toBe(true);
    expect(good.labels).toEqual(['in.jsonl:1', 'in.jsonl:3']);
    const results = recordEvents(store, good.inputs, { labels: good.labels, now: fixedNow });
    expect(results.map((r) => r.event.hash)[0]).toBe(dHash);
    expect(results[1].event.payload.params).toEqual({ lr: 0.001 });

    const bad = parseEventInputs(
      `${JSON.stringify({ type: 'training', payload: { model: 'other' } })}\n${JSON.stringify({ type: 'training', payload: { model: 'x' }, parents: ['0'.repeat(64)] })}\n`,
      'bad.jsonl',
    );
    const err = usageError(() => recordEvents(store, bad.inputs, { labels: bad.labels }));
    expect(err.message).toMatch(/^bad\.jsonl:2: no lineage event matches parent/);
    expect(store.scalar('SELECT count(*) FROM events')).toBe(2);
  });

  it('parses one pretty object, and refuses arrays, unknown keys, rounded numbers and wrong hashes', () => {
    const one = parseEventInputs(
      JSON.stringify({ type: 'dataset', payload: { name: 'n', rows: 1 } }, null, 2),
      'e.json',
    );
    expect(one).toEqual({
      inputs: [{ type: 'dataset', payload: { name: 'n', rows: 1 } }],
      labels: ['e.json'],
      lines: false,
    });
    expect(() => parseEventInputs('[]', 'a.json')).toThrow(/JSON array/);
    expect(() => parseEventInputs('{"type":"dataset","payload":{},"parent":[]}', 'k.json')).toThrow(
      /unknown key/,
    );
    expect(() =>
      parseEventInputs('{"type":"dataset","payload":{"rows":12345678901234567890}}', 'n.json'),
    ).toThrow(/cannot be kept exactly/);
    expect(() =>
      parseEventInputs('{"type":"dataset","payload":{"name":"12345678901234567890"}}', 's.json'),
    ).not.toThrow();
    expect(() => parseEventInputs('{"type":', 'x.json')).toThrow(/x\.json:1: invalid JSON/);
    const [input] = parseEventInputs(
      '{"type":"dataset","payload":{"name":"n","checksum":"c"},"hash":"00"}',
      'h.json',
    ).inputs;
    expect(() => record(input)).toThrow(/is not its content's hash/);
  });

  it('verifies every hash on every path and names tampered events', () => {
    const session = ended();
    const data = record({ type: 'dataset', payload: { session_id: session.uid } });
    const run = record({ type: 'training', payload: { model: 'm' }, parents: [data] });
    const other = record({ type: 'training', payload: { model: 'other' } });
    const evaluation = record({
      type: 'evaluation',
      payload: { metrics: { acc: 0.5 } },
      parents: [run],
    });
    expect(verifyEvents(store)).toEqual([]);
    expect(verifyEvents(store, [Buffer.from(evaluation, 'hex')])).toEqual([]);

    const idOf = (hash: string): number =>
      store.scalar<number>('SELECT id FROM events WHERE hash = ?', [Buffer.from(hash, 'hex')]);
    store.run('UPDATE events SET payload = ? WHERE id = ?', ['{"model":"n"}', idOf(run)]);
    const failures = verifyEvents(store, [Buffer.from(evaluation, 'hex')]);
    expect(failures).toEqual([
      expect.objectContaining({ event: run, type: 'training', check: 'hash' }),
    ]);
    store.run('UPDATE events SET payload = ? WHERE id = ?', ['{"model":"m"}', idOf(run)]);

    store.run('UPDATE events SET timestamp = ? WHERE id = ?', ['2024-05-01T12:00:00Z', idOf(run)]);
    expect(verifyEvents(store).map((f) => [f.event, f.check])).toEqual([
      [run, 'timestamp'],
      [run, 'hash'],
    ]);
    store.run('UPDATE events SET timestamp = ? WHERE id = ?', [T0, idOf(run)]);

    store.run('UPDATE event_parents SET parent_id = ? WHERE child_id = ?', [
      idOf(other),
      idOf(evaluation),
    ]);
    expect(verifyEvents(store).map((f) => [f.event, f.check])).toEqual([[evaluation, 'hash']]);
    store.run('UPDATE event_parents SET parent_id = ? WHERE child_id = ?', [
      idOf(run),
      idOf(evaluation),
    ]);

    // Same value, but not the canonical text that was hashed.
    store.run('UPDATE events SET payload = ? WHERE id = ?', ['{ "model":"other"}', idOf(other)]);
    expect(verifyEvents(store).map((f) => [f.event, f.check])).toEqual([[other, 'payload']]);
    store.run('UPDATE events SET payload = ? WHERE id = ?', ['{"model":"other"}', idOf(other)]);

    // The session changed under the dataset: its checksum and rows no longer hold.
    store.run('UPDATE sessions SET root = ?, record_count = 7 WHERE id = ?', [
      Buffer.alloc(32, 1),
      session.id,
    ]);
    expect(verifyEvents(store).map((f) => [f.event, f.check])).toEqual([
      [data, 'dataset'],
      [data, 'dataset'],
    ]);
    expect(verifyEvents(store, [Buffer.alloc(32, 9)])).toEqual([
      expect.objectContaining({ check: 'missing', type: null }),
    ]);
  });

  it('traces every path to the roots and finds the models built on a session', () => {
    const s1 = ended();
    const s2 = ended();
    // s1 and s2 are both empty: tell their datasets apart by name.
    const d1 = record({ type: 'dataset', payload: { session_id: s1.uid, name: 'one' } });
    const d2 = record({ type: 'dataset', payload: { session_id: s2.uid, name: 'two' } });
    const base = record({ type: 'training', payload: { model: 'base' }, parents: [d1] });
    const tuned = record({ type: 'training', payload: { model: 'tuned' }, parents: [base, d2] });
    const evaluation = record({
      type: 'evaluation',
      payload: { metrics: { acc: 0.9 }, dataset: d1 },
      parents: [tuned],
    });
    const prediction = record({
      type: 'prediction',
      payload: { model_event: tuned, input_fingerprint: 'a'.repeat(64) },
    });

    const trace = traceEvent(store, evaluation.slice(0, 8));
    expect(trace.events.map((e) => [e.hash, e.depth])).toEqual(
      expect.arrayContaining([
        [evaluation, 0],
        [tuned, 1],
        [d1, 1],
        [base, 2],
        [d2, 2],
      ]),
    );
    expect(trace.events).toHaveLength(5);
    expect(trace.events.find((e) => e.hash === d1)?.session?.session_id).toBe(s1.uid);
    // d1 is reached twice (directly and through tuned → base); its second occurrence is marked.
    const occurrences: { repeated: boolean }[] = [];
    const walk = (n: typeof trace.tree): void => {
      if (n.hash === d1) occurrences.push({ repeated: n.repeated === true });
      n.parent_events.forEach(walk);
    };
    walk(trace.tree);
    expect(occurrences.sort((a, b) => Number(a.repeated) - Number(b.repeated))).toEqual([
      { repeated: false },
      { repeated: true },
    ]);

    const models = modelsForSessions(store, [s1.id]);
    expect(models.map((m) => [m.hash, m.via_sessions])).toEqual([
      [base, [s1.uid]],
      [tuned, [s1.uid]],
      [evaluation, [s1.uid]],
    ]);
    expect(modelsForSessions(store, [s2.id]).map((m) => m.hash)).toEqual([tuned, evaluation]);
    expect(modelsForSessions(store, [])).toEqual([]);
    expect(models.map((m) => m.hash)).not.toContain(prediction);
  });
});
