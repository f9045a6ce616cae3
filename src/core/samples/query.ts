/**
 * Names one recorded sample, as `origin trace` and `origin prove` take it: a full fingerprint, a
 * unique hex prefix of one (8+ characters), the text itself (--text: SHA-256 of its UTF-8 bytes)
 * or a JSON record (--record: SHA-256 of its RFC 8785 canonical form), per SPEC.md §1.
 */
import { UsageError } from '../errors';
import { HASH_BYTES, toHex } from '../merkle';
import { canonicalJson, fingerprint } from './fingerprint';
import { iJsonViolation } from './i-json';
import { PrefixLookup, findByPrefix } from '../store/prefix';
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
    const violation = iJsonViolation(value, query.record);
    if (violation !== undefined) {
      throw new UsageError(`--record is not I-JSON: ${violation}`, 'fix the record and try again');
    }
    return fingerprint(canonicalJson(value));
  }
  return undefined;
}

const BY_FINGERPRINT: PrefixLookup<{ fingerprint: Uint8Array; size: number }> = {
  table: 'samples',
  column: 'fingerprint',
  select: 'fingerprint, size',
  storage: 'blob',
  minLength: MIN_SAMPLE_PREFIX,
  fullLength: FULL_HEX,
  invalid: (ref) =>
    new UsageError(
      `"${ref}" is not a fingerprint (64 hex characters) or a prefix of one`,
      'to trace a text, use --text; a JSON record, --record',
    ),
  tooShort: (ref) =>
    new UsageError(
      `fingerprint prefix "${ref}" is too short`,
      `give at least ${MIN_SAMPLE_PREFIX} hex characters`,
    ),
  notFound: (_ref, prefix) =>
    new UsageError(
      prefix.length === FULL_HEX
        ? `no sample with fingerprint ${prefix} is recorded`
        : `no recorded sample has a fingerprint starting with ${prefix}`,
    ),
  ambiguous: {
    subject: (_ref, prefix) => `fingerprint prefix "${prefix}"`,
    candidate: (r) => toHex(r.fingerprint),
    hint: 'give more characters of the fingerprint',
  },
};

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
  const ref = direct ? toHex(direct) : (query.sample as string);
  const row = findByPrefix(store, BY_FINGERPRINT, ref);
  return { fingerprint: Buffer.from(row.fingerprint), size: row.size };
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
