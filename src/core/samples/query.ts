/**
 * Names one recorded sample, as `origin trace` and `origin prove` take it: a full fingerprint, a
 * unique hex prefix of one (8+ characters), the text itself (--text: SHA-256 of its UTF-8 bytes)
 * or a JSON record (--record: SHA-256 of its RFC 8785 canonical form), per SPEC.md §1.
 */
import { UsageError } from '../errors';
import { HASH_BYTES, toHex } from '../merkle';
import { canonicalJson, fingerprint } from './fingerprint';
import { Store } from '../store/store';

export interface SampleQuery {
  /** Fingerprint or unique hex prefix. */
  sample?: string;
  /** The sample's text: its fingerprint is SHA-256 of the UTF-8 bytes. */
  text?: string;
  /** A JSON record: its fingerprint is SHA-256 of its RFC 8785 form. */
  record?: string;
}

export interface ResolvedSample {
  fingerprint: Buffer;
  size: number;
}

export const MIN_SAMPLE_PREFIX = 8;
const FULL_HEX = HASH_BYTES * 2;

/** The fingerprint a query names, before looking anything up (full fingerprints only). */
function fingerprintOf(query: SampleQuery): Buffer | undefined {
  if (query.text !== undefined) return fingerprint(query.text);
  if (query.record !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(query.record);
    } catch (err) {
      throw new UsageError(
        `--record is not valid JSON: ${(err as Error).message}`,
        'give the record as one JSON value, e.g. --record \'{"text":"hello"}\'',
      );
    }
    return fingerprint(canonicalJson(value));
  }
  return undefined;
}

/** The recorded sample a query names; exit 2 when there is none, or a prefix is ambiguous. */
export function resolveSample(store: Store, query: SampleQuery): ResolvedSample {
  const given = [query.sample, query.text, query.record].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new UsageError(
      given === 0
        ? 'name a sample: a fingerprint (or 8+ character prefix), --text or --record'
        : 'name the sample one way only: a fingerprint, --text or --record',
    );
  }
  const direct = fingerprintOf(query);
  if (direct) return lookup(store, direct);
  const wanted = (query.sample as string).trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(wanted) || wanted.length > FULL_HEX) {
    throw new UsageError(
      `"${query.sample}" is not a fingerprint (64 hex characters) or a prefix of one`,
      'to trace a text, use --text; a JSON record, --record',
    );
  }
  if (wanted.length === FULL_HEX) return lookup(store, Buffer.from(wanted, 'hex'));
  if (wanted.length < MIN_SAMPLE_PREFIX) {
    throw new UsageError(
      `fingerprint prefix "${query.sample}" is too short`,
      `give at least ${MIN_SAMPLE_PREFIX} hex characters`,
    );
  }
  const low = Buffer.from(wanted.padEnd(FULL_HEX, '0'), 'hex');
  const high = Buffer.from(wanted.padEnd(FULL_HEX, 'f'), 'hex');
  const rows = store.all<{ fingerprint: Uint8Array; size: number }>(
    'SELECT fingerprint, size FROM samples WHERE fingerprint BETWEEN ? AND ? ORDER BY fingerprint LIMIT 11',
    [low, high],
  );
  if (rows.length === 0) {
    throw new UsageError(`no recorded sample has a fingerprint starting with ${wanted}`);
  }
  if (rows.length > 1) {
    const shown = rows.slice(0, 10).map((r) => `  ${toHex(r.fingerprint)}`);
    throw new UsageError(
      `fingerprint prefix "${wanted}" is ambiguous; it matches:\n${shown.join('\n')}${rows.length > 10 ? '\n  …' : ''}`,
      'give more characters of the fingerprint',
    );
  }
  return { fingerprint: Buffer.from(rows[0].fingerprint), size: rows[0].size };
}

function lookup(store: Store, fp: Buffer): ResolvedSample {
  const row = store.get<{ size: number }>('SELECT size FROM samples WHERE fingerprint = ?', [fp]);
  if (!row) throw new UsageError(`no sample with fingerprint ${toHex(fp)} is recorded`);
  return { fingerprint: fp, size: row.size };
}

/**
 * Calls fn with the index of every observation of `fp` in a fingerprints column: every
 * 32-byte-aligned occurrence (an unaligned match straddles two fingerprints and is skipped).
 */
export function forEachOccurrence(
  column: Uint8Array,
  fp: Buffer,
  fn: (index: number) => void | boolean,
): void {
  const buf = Buffer.from(column.buffer, column.byteOffset, column.byteLength);
  let from = 0;
  for (;;) {
    const at = buf.indexOf(fp, from);
    if (at === -1) return;
    if (at % HASH_BYTES === 0) {
      if (fn(at / HASH_BYTES) === false) return;
      from = at + HASH_BYTES;
    } else {
      from = at + 1;
    }
  }
}
