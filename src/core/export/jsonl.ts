/**
 * `jsonl`: the session as JSON Lines, streamed, for sessions too big for one document. In order:
 *
 *   {"type":"session",…}       one header: the provenance without the source list, and the counts
 *   {"type":"source",…}        one per (source, license), with the SHA-256 of its fingerprints
 *   {"type":"batch",…}         one per batch, with its RFC 6962 root
 *   {"type":"observation",…}   one per observation, in session order:
 *                              position, batch, fingerprint (hex), size (content bytes), source, license
 *
 * Memory: one batch of output lines at a time, plus the size of each observation (8 bytes). The
 * sizes are looked up before streaming, with ~100 bytes per observation of temporary work space
 * (sizes.ts); the database itself, loaded whole, already holds ~80 bytes per sample.
 */
import { decodeOrigins } from '../observations';
import { Store } from '../store';
import { ExportContext } from './context';
import { JSON_FORMAT_NAME, JSON_FORMAT_VERSION } from './json';
import { Sink } from './sink';
import { ObservationSizes, observationSizes } from './sizes';

/** Each origin id of the session → the `,"source":…,"license":…}` tail of its observation lines. */
function originTails(store: Store, sessionRowId: number): Map<number, string> {
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
      `,"source":${JSON.stringify(r.source)},"license":${JSON.stringify(r.license)}}\n`,
    ]),
  );
}

const UNKNOWN_ORIGIN_TAIL = ',"source":null,"license":null}\n';

export async function writeJsonl(
  ctx: ExportContext,
  sink: Sink,
  observed: ObservationSizes = observationSizes(ctx.store, ctx.sessionRowId),
): Promise<void> {
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

  const { sizes } = observed;
  const tails = originTails(ctx.store, ctx.sessionRowId);
  const stmt = ctx.store.db.prepare(
    `SELECT seq, first_position, record_count, fingerprints, origins
       FROM batches WHERE session_id = ? ORDER BY seq`,
  );
  try {
    stmt.bind([ctx.sessionRowId]);
    while (stmt.step() && !sink.closed) {
      const [seq, first, count, fps, origins] = stmt.get() as [
        number,
        number,
        number,
        Uint8Array,
        Uint8Array,
      ];
      const ids = decodeOrigins(origins, count);
      const hex = Buffer.from(fps.buffer, fps.byteOffset, fps.byteLength).toString('hex');
      const batchPart = `,"batch":${seq},"fingerprint":"`;
      let chunk = '';
      for (let i = 0; i < count; i++) {
        const size = sizes[first + i];
        chunk +=
          '{"type":"observation","position":' +
          (first + i) +
          batchPart +
          hex.slice(i * 64, i * 64 + 64) +
          '","size":' +
          (size >= 0 ? size : 'null') +
          (tails.get(ids[i]) ?? UNKNOWN_ORIGIN_TAIL);
      }
      await sink.write(chunk);
    }
  } finally {
    stmt.free();
  }
}
