/**
 * `jsonl`: the session as JSON Lines, streamed, for sessions too big for one document. In order:
 *
 *   {"type":"session",…}       one header: the provenance without the source list, and the counts
 *   {"type":"source",…}        one per (source, license), with the SHA-256 of its fingerprints
 *   {"type":"batch",…}         one per batch, with its RFC 6962 root
 *   {"type":"observation",…}   one per observation, in session order:
 *                              position, batch, fingerprint (hex), size (content bytes), source, license
 *
 * Memory: the session's fingerprint columns, read once (32 bytes per observation; the header's
 * distinct count and source digests need them all before the first line), plus one batch of
 * output lines at a time. Sizes come from each batch's sizes column; a session with batches
 * recorded before that column existed (schema 1) has its sizes looked up before streaming
 * instead, 8 bytes per observation plus ~100 of temporary work space (sizes.ts).
 */
import { decodeOrigins, decodeSizes } from '../../store/observations';
import { Store } from '../../store/store';
import { ExportContext } from './context';
import { JSON_FORMAT_NAME, JSON_FORMAT_VERSION } from './json';
import { Sink } from './sink';
import { observationSizes } from './sizes';

/** Each origin id of the session → the `,"source":…,"license":…}` tail of its lines, as UTF-8. */
function originTails(store: Store, sessionRowId: number): Map<number, Buffer> {
  const rows = store.all<{ id: number; source: string; license: string }>(
    `SELECT o.id AS id, s.name AS source, l.expression AS license
       FROM session_origins so JOIN origins o ON o.id = so.origin_id
       JOIN sources s ON s.id = o.source_id JOIN licenses l ON l.id = o.license_id
      WHERE so.session_id = ?`,
    [sessionRowId],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      Buffer.from(
        `,"source":${JSON.stringify(r.source)},"license":${JSON.stringify(r.license)}}\n`,
      ),
    ]),
  );
}

const UNKNOWN_ORIGIN_TAIL = Buffer.from(',"source":null,"license":null}\n');
const LINE_START = Buffer.from('{"type":"observation","position":');
const SIZE_KEY = Buffer.from('","size":');
const NULL = Buffer.from('null');
const HEX_DIGITS = Buffer.from('0123456789abcdef');
/** Longest decimal integer a line holds (2^53 has 16 digits). */
const MAX_DIGITS = 17;

/**
 * One batch of observation lines, written straight into bytes: a million lines built as strings
 * cost more in string building and UTF-8 encoding than everything else in the export.
 */
class LineBytes {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  copy(bytes: Buffer): void {
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  /** A non-negative integer in decimal. */
  int(value: number): void {
    const buf = this.buf;
    let n = value;
    let end = this.pos;
    do {
      end++;
      n = Math.floor(n / 10);
    } while (n > 0);
    this.pos = end;
    n = value;
    do {
      buf[--end] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
  }

  /** 32 bytes of `src` from `offset` as 64 lowercase hex digits. */
  hex32(src: Uint8Array, offset: number): void {
    const buf = this.buf;
    let pos = this.pos;
    for (let k = offset; k < offset + 32; k++) {
      buf[pos++] = HEX_DIGITS[src[k] >> 4];
      buf[pos++] = HEX_DIGITS[src[k] & 15];
    }
    this.pos = pos;
  }
}

export async function writeJsonl(ctx: ExportContext, sink: Sink): Promise<void> {
  // Batches recorded before schema 2 have no sizes column: look those sessions' sizes up.
  const lookedUp = ctx.observations.batches.some((b) => b.sizes === null)
    ? observationSizes(ctx.store, ctx.observations)
    : undefined;
  const p = ctx.provenance;
  const { sources, ...rest } = p;
  const header = {
    type: 'session',
    format: `${JSON_FORMAT_NAME}-jsonl`,
    format_version: JSON_FORMAT_VERSION,
    ...rest,
    counts: {
      sources: sources.length,
      batches: ctx.batches.length,
      observations: p.session.records,
    },
  };
  await sink.write(`${JSON.stringify(header)}\n`);
  let lines = '';
  for (const s of sources) lines += `${JSON.stringify({ type: 'source', ...s })}\n`;
  await sink.write(lines);
  lines = '';
  for (const b of ctx.batches) {
    lines += `${JSON.stringify({ type: 'batch', ...b })}\n`;
    if (lines.length > 1 << 16) {
      await sink.write(lines);
      lines = '';
    }
  }
  await sink.write(lines);
  if (sink.closed) return;

  const tails = originTails(ctx.store, ctx.sessionRowId);
  const fps = ctx.observations.fingerprints;
  let longestTail = UNKNOWN_ORIGIN_TAIL.length;
  for (const tail of tails.values()) longestTail = Math.max(longestTail, tail.length);
  for (const batch of ctx.observations.batches) {
    if (sink.closed) break;
    const { seq, first_position: first, record_count: records } = batch;
    const ids = decodeOrigins(batch.origins, records);
    const sizes = lookedUp
      ? lookedUp.subarray(batch.index, batch.index + records)
      : decodeSizes(batch.sizes as Uint8Array, records);
    const count = Math.min(batch.count, records);
    const batchPart = Buffer.from(`,"batch":${seq},"fingerprint":"`);
    const perLine =
      LINE_START.length + MAX_DIGITS + batchPart.length + 64 + SIZE_KEY.length + MAX_DIGITS;
    const out = new LineBytes(Buffer.allocUnsafe(count * (perLine + longestTail)));
    for (let i = 0; i < count; i++) {
      const size = sizes[i];
      out.copy(LINE_START);
      out.int(first + i);
      out.copy(batchPart);
      out.hex32(fps, (batch.index + i) * 32);
      out.copy(SIZE_KEY);
      if (size >= 0) out.int(size);
      else out.copy(NULL);
      out.copy(tails.get(ids[i]) ?? UNKNOWN_ORIGIN_TAIL);
    }
    await sink.write(out.buf.subarray(0, out.pos));
  }
}
