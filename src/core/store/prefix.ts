/**
 * The one short-id lookup (as git has one): the unique row whose key starts with a hex prefix.
 * Sessions are named by their id (lowercase hex text), lineage events and samples by a SHA-256
 * written in hex (32-byte BLOB keys). Each caller keeps its own words for every failure.
 */
import { UsageError } from '../errors';
import { Store } from './store';

/** How a key is stored: lowercase hex text, or the bytes that the hex spells. */
export type KeyStorage = 'text' | 'blob';

/** How one kind of row is named by a prefix of its key, and what is said when it cannot be. */
export interface PrefixLookup<Row> {
  /** Table and key column: identifiers from code, never from input. */
  table: string;
  column: string;
  /** Columns to select (default: all). */
  select?: string;
  storage: KeyStorage;
  /** Fewest hex characters accepted. */
  minLength: number;
  /** Hex characters of a full key, looked up exactly; a longer reference is invalid. */
  fullLength?: number;
  /** Not hexadecimal, or longer than a full key. */
  invalid(ref: string): UsageError;
  tooShort(ref: string): UsageError;
  /** `prefix` is the reference trimmed and lowercased. */
  notFound(ref: string, prefix: string): UsageError;
  ambiguous: {
    /** The reference as the message names it, e.g. `session id prefix "3f9a1c"`. */
    subject(ref: string, prefix: string): string;
    /** One candidate's line (its full key first). */
    candidate(row: Row): string;
    hint: string;
  };
}

/** Candidates listed when a prefix is ambiguous; more are shown as "…". */
export const SHOWN_CANDIDATES = 10;

const HEX = /^[0-9a-f]+$/;

/**
 * The key range holding exactly the keys that start with a lowercase hex prefix: `lo <= key`
 * and, when there is an upper bound, `key < hi`. For text the bound is the prefix with its last
 * character raised by one; for bytes it is the prefix plus one at its last hex digit (trailing
 * f's carry), so an odd-length prefix covers half a byte and an all-f prefix has no upper bound.
 */
export function prefixRange(
  prefix: string,
  storage: KeyStorage,
): { lo: string | Buffer; hi?: string | Buffer } {
  if (storage === 'text') {
    const last = prefix.charCodeAt(prefix.length - 1);
    return { lo: prefix, hi: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
  }
  const bytes = (hex: string): Buffer => Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
  const carried = prefix.replace(/f+$/, '');
  if (carried === '') return { lo: bytes(prefix) };
  const raised = (parseInt(carried.slice(-1), 16) + 1).toString(16);
  return { lo: bytes(prefix), hi: bytes(carried.slice(0, -1) + raised) };
}

/**
 * The row a reference names: its full key or a unique prefix (trimmed, any case). An invalid,
 * too short, unknown or ambiguous reference is a usage error (exit 2) in the caller's words.
 */
export function findByPrefix<Row>(store: Store, lookup: PrefixLookup<Row>, ref: string): Row {
  const prefix = ref.trim().toLowerCase();
  const { fullLength } = lookup;
  if (!HEX.test(prefix) || (fullLength !== undefined && prefix.length > fullLength)) {
    throw lookup.invalid(ref);
  }
  if (prefix.length < lookup.minLength) throw lookup.tooShort(ref);
  const from = `SELECT ${lookup.select ?? '*'} FROM ${lookup.table}`;
  const column = lookup.column;
  const order = `ORDER BY ${column} LIMIT ${SHOWN_CANDIDATES + 1}`;
  let rows: Row[];
  if (prefix.length === fullLength) {
    const key = lookup.storage === 'text' ? prefix : Buffer.from(prefix, 'hex');
    rows = store.all<Row>(`${from} WHERE ${column} = ? ${order}`, [key]);
  } else {
    const { lo, hi } = prefixRange(prefix, lookup.storage);
    rows =
      hi === undefined
        ? store.all<Row>(`${from} WHERE ${column} >= ? ${order}`, [lo])
        : store.all<Row>(`${from} WHERE ${column} >= ? AND ${column} < ? ${order}`, [lo, hi]);
  }
  if (rows.length === 0) throw lookup.notFound(ref, prefix);
  if (rows.length > 1) {
    const { subject, candidate, hint } = lookup.ambiguous;
    const shown = rows.slice(0, SHOWN_CANDIDATES).map((row) => `  ${candidate(row)}`);
    const more = rows.length > SHOWN_CANDIDATES ? '\n  …' : '';
    throw new UsageError(
      `${subject(ref, prefix)} is ambiguous; it matches:\n${shown.join('\n')}${more}`,
      hint,
    );
  }
  return rows[0];
}
