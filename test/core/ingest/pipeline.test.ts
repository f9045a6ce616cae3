import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  leafHash,
  leafHashesInto,
  leafHashesOf,
  merkleRoot,
  rootOfLeafHashes,
} from '../../../src/core/merkle';
import { FramedItem, LineFramer } from '../../../src/core/ingest/frame';
import { createSession, getSession } from '../../../src/core/sessions/session';
import { Recorder } from '../../../src/core/ingest/recorder';
import { Store } from '../../../src/core/store/store';
import { ParsePool } from '../../../src/core/ingest/pool';
import { ParseOptions, SegmentParser, SegmentResult } from '../../../src/core/ingest/parse';

const sha = (data: Buffer | string): Buffer => createHash('sha256').update(data).digest();

/** What a line-by-line reader sees: [content or {tooLong}, …], with the last line's ending rule. */
function referenceLines(input: Buffer, max: number): (string | number)[] {
  const out: (string | number)[] = [];
  let start = 0;
  while (start < input.length) {
    const nl = input.indexOf(10, start);
    const end = nl === -1 ? input.length : nl;
    let length = end - start;
    if (length > max) out.push(length);
    else {
      if (nl !== -1 && length > 0 && input[end - 1] === 13) length--;
      out.push(input.subarray(start, start + length).toString('latin1'));
    }
    start = nl === -1 ? input.length : nl + 1;
  }
  return out;
}

/** Replays framed items the way the parser reads them. */
function framedLines(items: FramedItem[], max: number): (string | number)[] {
  const out: (string | number)[] = [];
  for (const item of items) {
    if (item.kind === 'tooLong') {
      out.push(item.bytes);
      continue;
    }
    const lines = referenceLines(item.data, max);
    if (item.terminated) expect(item.data[item.data.length - 1]).toBe(10);
    else expect(item.data.indexOf(10, item.data.length - 1)).toBe(-1);
    out.push(...lines);
  }
  return out;
}

function frame(input: Buffer, max: number, segment: number, chunk: number): FramedItem[] {
  const framer = new LineFramer(max, segment);
  const items: FramedItem[] = [];
  for (let at = 0; at < input.length; at += chunk) {
    const part = input.subarray(at, Math.min(input.length, at + chunk));
    if (at % (2 * chunk) === 0) {
      items.push(...framer.push(part));
    } else {
      const region = framer.space(part.length);
      part.copy(region);
      items.push(...framer.commit(part.length));
    }
  }
  items.push(...framer.end());
  return items;
}

describe('LineFramer', () => {
  const inputs: [string, Buffer][] = [
    ['empty', Buffer.alloc(0)],
    ['one line, no ending', Buffer.from('abc')],
    ['CRLF and blank lines', Buffer.from('a\r\n\r\n\nb\r\nc\r')],
    ['long lines among short ones', Buffer.from(`x\n${'y'.repeat(50)}\nz\n${'w'.repeat(13)}\r\n`)],
    ['a long last line', Buffer.from(`x\n${'y'.repeat(40)}`)],
    [
      'random lines',
      Buffer.from(
        Array.from({ length: 300 }, (_, i) => 'q'.repeat((i * 7919) % 37) + (i % 3 ? '\n' : '\r\n'))
          .join('')
          .slice(0, -1),
      ),
    ],
    [
      'random bytes with newlines',
      Buffer.from(
        Array.from({ length: 2000 }, (_, i) => ((i * 31) % 11 === 0 ? 10 : 65 + (i % 26))),
      ),
    ],
  ];

  it.each(inputs)('frames %s into the same lines as a line reader', (_name, input) => {
    for (const max of [1, 12, 13, 40, 1000]) {
      for (const segment of [1, 7, 64]) {
        for (const chunk of [1, 3, 16, 1000]) {
          const items = frame(input, max, segment, chunk);
          expect(framedLines(items, max)).toEqual(referenceLines(input, max));
          const firsts = items.filter((i) => i.firstLineOfInput);
          expect(firsts.length).toBe(items.length > 0 ? 1 : 0);
          if (items.length > 0) expect(items[0].firstLineOfInput).toBe(true);
        }
      }
    }
  });

  it('keeps no more than the limit of an overlong line', () => {
    const framer = new LineFramer(100, 64);
    const items: FramedItem[] = [];
    for (let i = 0; i < 100; i++) items.push(...framer.push(Buffer.alloc(1000, 0x61)));
    items.push(...framer.push(Buffer.from('\nnext\n')));
    items.push(...framer.end());
    expect(items[0]).toEqual({ kind: 'tooLong', bytes: 100_000, firstLineOfInput: true });
    expect(framedLines(items.slice(1), 100)).toEqual(['next']);
  });

  it('on flush gives the whole lines and drops an unfinished one', () => {
    const framer = new LineFramer(100, 1 << 20);
    expect(framer.push(Buffer.from('one\ntwo\nthr'))).toEqual([]);
    const items = framer.flush();
    expect(framedLines(items, 100)).toEqual(['one', 'two']);
  });
});

describe('segment parser', () => {
  const options = (extra: Partial<ParseOptions> = {}): ParseOptions => ({
    format: 'jsonl',
    maxLineBytes: 1 << 20,
    skipInvalid: true,
    ...extra,
  });
  const parse = (opts: ParseOptions, text: string | Buffer, first = true): SegmentResult =>
    new SegmentParser(opts).parse({
      seq: 0,
      data: Buffer.from(text),
      terminated: true,
      firstLineOfInput: first,
    });

  it('fingerprints content fields, whole records and text lines per SPEC §1', () => {
    const lines = [
      '{"text":"héllo","source":"s"}',
      '{"b":1,"a":[2.0,"x"]}',
      '{"text":{"z":1,"a":2}}',
    ];
    const r = parse(options({ contentFields: ['text'] }), `${lines.join('\n')}\n`);
    expect(r.failures).toEqual([{ line: 2, reason: 'no content field "text" in this record' }]);
    expect(r.count).toBe(2);
    expect(Buffer.from(r.fingerprints.subarray(0, 32))).toEqual(sha('héllo'));
    expect(Buffer.from(r.fingerprints.subarray(32, 64))).toEqual(sha('{"a":2,"z":1}'));
    expect(Array.from(r.sizes)).toEqual([6, 13]);
    expect(r.leaves.length).toBe(2 * 32);
    expect(Buffer.from(r.leaves.subarray(32, 64))).toEqual(leafHash(sha('{"a":2,"z":1}')));

    const whole = parse(options(), `${lines[1]}\n`);
    expect(Buffer.from(whole.fingerprints)).toEqual(sha('{"a":[2,"x"],"b":1}'));

    const text = parse(options({ format: 'text' }), Buffer.from('\ufeffa\r\n\nb\n'));
    expect(text.count).toBe(3);
    expect(Buffer.from(text.fingerprints.subarray(0, 32))).toEqual(sha(Buffer.from('\ufeffa')));
    expect(Buffer.from(text.fingerprints.subarray(32, 64))).toEqual(sha(''));
  });

  it('writes fingerprints and leaf hashes of thousands of records, skipped lines between', () => {
    const texts = Array.from({ length: 2500 }, (_, i) => `sample ${i}`);
    const input = texts.map((t, i) => (i % 700 === 5 ? '{bad\n' : '') + JSON.stringify({ t }));
    const result = parse(options({ contentFields: ['t'] }), `${input.join('\n')}\n`);
    expect(result.count).toBe(2500);
    expect(result.failures).toHaveLength(4);
    const fps = texts.map((t) => sha(t));
    expect(Buffer.from(result.fingerprints)).toEqual(Buffer.concat(fps));
    expect(Buffer.from(result.leaves)).toEqual(Buffer.concat(fps.map((fp) => leafHash(fp))));
  });

  it('numbers (source, license) labels once per parser and reports invalid lines', () => {
    const parser = new SegmentParser(
      options({ contentFields: ['text'], sourceField: 'src', licenseField: 'lic' }),
    );
    const job = (text: string, first: boolean) => ({
      seq: 0,
      data: Buffer.from(text),
      terminated: true,
      firstLineOfInput: first,
    });
    const a = parser.parse(
      job(
        '\ufeff{"text":"1","src":"a"}\n \n{"text":"2","src":"a","lic":7}\n{"text":"3","src":{}}\n{x\n',
        true,
      ),
    );
    expect(a.lines).toBe(5);
    expect(Array.from(a.labels)).toEqual([0, 1]);
    expect(a.newLabels).toEqual(['a', null, 'a', '7']);
    expect(a.failures.map((f) => f.line)).toEqual([4, 5]);
    expect(a.failures[0].reason).toBe('source field "src" is not a string');
    expect(a.failures[1].reason).toMatch(/^invalid JSON: /);
    const b = parser.parse(job('{"text":"4","src":"a"}\n\ufeff{"text":"5"}\n', false));
    expect(Array.from(b.labels)).toEqual([0]);
    expect(b.newLabels).toEqual([]);
    expect(b.failures).toEqual([{ line: 2, reason: expect.stringMatching(/^invalid JSON/) }]);
  });

  it('stops at the first invalid line unless told to skip', () => {
    const r = parse(options({ skipInvalid: false }), '{}\nnope\n{}\n');
    expect(r.count).toBe(1);
    expect(r.failures).toHaveLength(1);
  });

  it('gives the same results on a worker thread', async () => {
    const opts = options({ contentFields: ['text'], sourceField: 's' });
    const data = Buffer.from(
      Array.from({ length: 500 }, (_, i) =>
        i % 97 === 5 ? '{oops' : JSON.stringify({ text: `t${i % 50}`, s: `s${i % 3}`, n: i }),
      ).join('\n'),
    );
    const expected = new SegmentParser(opts).parse({
      seq: 7,
      data: Buffer.from(data),
      terminated: false,
      firstLineOfInput: true,
    });
    const got = await new Promise<SegmentResult>((resolve, reject) => {
      const submit = (): void =>
        pool.submit({
          seq: 7,
          data: Buffer.from(data),
          terminated: false,
          firstLineOfInput: true,
        });
      const pool: ParsePool = new ParsePool(
        opts,
        (parser, result) => {
          // Parsed on this thread (parser 0): the worker is not up yet, so try again.
          if (parser === 0) return void setTimeout(submit, 10);
          void pool.close();
          resolve(result);
        },
        reject,
      );
      pool.startWorkers(1);
      submit();
    });
    expect(got.seq).toBe(7);
    expect(got.lines).toBe(expected.lines);
    expect(Buffer.from(got.fingerprints)).toEqual(Buffer.from(expected.fingerprints));
    expect(got.leaves.length).toBe(got.fingerprints.length);
    expect(Buffer.from(got.leaves)).toEqual(Buffer.from(expected.leaves));
    expect(Array.from(got.sizes)).toEqual(Array.from(expected.sizes));
    expect(Array.from(got.labels)).toEqual(Array.from(expected.labels));
    expect(got.newLabels).toEqual(expected.newLabels);
    expect(got.failures).toEqual(expected.failures);
  });
});

describe('batch roots from leaf hashes', () => {
  it('extend the session tree exactly as its leaves one by one, aligned or not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'origin-recorder-'));
    try {
      const store = await Store.open(join(dir, 'r.db'), { mode: 'create' });
      const fps = Array.from({ length: 50 }, (_, i) => sha(`leaf ${i}`));
      const all = Buffer.concat(fps);
      // Power-of-two batches (aligned subtrees), others, and appends that start mid-batch.
      for (const [batchSize, firstRun] of [
        [8, 50],
        [8, 13],
        [5, 50],
        [7, 22],
        [1, 3],
      ]) {
        const session = createSession(store);
        for (const [from, to] of [
          [0, firstRun],
          [firstRun, fps.length],
        ]) {
          if (from === to) continue;
          // Re-read: the recorder appends to the session's stored frontier.
          const recorder = new Recorder(batchSize, getSession(store, session.uid));
          const origin = recorder.originId('s', 'MIT');
          // Chunks of 7, so batches take leaves from two chunks.
          for (let at = from; at < to; at += 7) {
            const n = Math.min(7, to - at);
            const part = all.subarray(at * 32, (at + n) * 32);
            const ones = new Array<number>(n).fill(1);
            recorder.observeMany(
              part,
              leafHashesOf(part, n),
              ones,
              ones.map(() => origin),
              n,
            );
          }
          const root = store.transaction(
            () =>
              recorder.commit(store, {
                skipped: 0,
                endStatus: to === fps.length ? 'completed' : undefined,
                last: true,
              }).root,
          );
          expect([batchSize, firstRun, to, root]).toEqual([
            batchSize,
            firstRun,
            to,
            merkleRoot(fps.slice(0, to)),
          ]);
        }
        const batches = store.all<{
          first_position: number;
          record_count: number;
          root: Uint8Array;
        }>(
          'SELECT first_position, record_count, root FROM batches WHERE session_id = ? ORDER BY seq',
          [session.id],
        );
        for (const b of batches) {
          const leaves = fps.slice(b.first_position, b.first_position + b.record_count);
          expect(Buffer.from(b.root)).toEqual(merkleRoot(leaves));
        }
      }
      await store.abandon();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('equal merkleRoot for every size up to 70, and for a few larger sizes', () => {
    const fps = Array.from({ length: 3000 }, (_, i) => sha(`leaf ${i}`));
    for (const n of [...Array.from({ length: 71 }, (_, n) => n), 1023, 1024, 1025, 2049, 3000]) {
      const leaves = leafHashesOf(Buffer.concat(fps.slice(0, n)), n);
      expect(rootOfLeafHashes(leaves, n)).toEqual(merkleRoot(fps.slice(0, n)));
    }
    // Written at an offset into a larger array, as the recorder does.
    const out = new Uint8Array(32 * 1100);
    leafHashesInto(Buffer.concat(fps.slice(0, 1090)), 1090, out, 320);
    expect(Buffer.from(out.subarray(320))).toEqual(
      Buffer.concat(fps.slice(0, 1090).map((fp) => leafHash(fp))),
    );
  });
});
