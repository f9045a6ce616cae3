/**
 * A one-pass JSON checker for JSONL lines that also finds the values of a few top-level fields,
 * so ingest can fingerprint a string field straight from the input bytes without building the
 * record. It is only a fast path: whenever it answers `false` (the line is invalid, or holds
 * something it leaves alone, such as an escaped key or a very deep value) the caller parses the
 * line with JSON.parse, which decides and words the error. So it must never accept a line that
 * JSON.parse rejects, and must report the value JSON.parse would give a field (the last of
 * duplicate keys). test/core/json-fields.test.ts checks both against JSON.parse.
 *
 * Self-contained like createSegmentParser (it runs inside ingest's worker threads from its source
 * text): no imports and nothing from module scope.
 */

export interface JsonFieldScanner {
  /**
   * Checks that data[start, end) is one JSON object (whitespace around it allowed) and finds the
   * fields. The data must be valid UTF-8. Returns false when the caller has to use JSON.parse.
   * `plain`: the caller knows the range holds no backslash and no byte below 0x20; then a string
   * ends at the next quote, found by a native search instead of a byte-by-byte check.
   */
  scan(data: Uint8Array, start: number, end: number, plain?: boolean): boolean;
  /**
   * Per field, after a successful scan: its kind, and the value's span [starts, ends). Kinds:
   * 0 absent; 1 a string without escapes (the span is between the quotes, and its bytes are the
   * value's UTF-8); 2 a string with escapes (the span includes the quotes: decode it with
   * JSON.parse); 3 a number, true, false, null, an object or an array (the span is its JSON text).
   */
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** Self-contained: see the file comment. `keys` are top-level field names. */
export function createJsonFieldScanner(keys: readonly string[]): JsonFieldScanner {
  const MAX_DEPTH = 512;
  const keyBytes = keys.map((key) => Buffer.from(key, 'utf8'));
  const kinds = new Uint8Array(keys.length);
  const starts = new Int32Array(keys.length);
  const ends = new Int32Array(keys.length);
  const stack = new Uint8Array(MAX_DEPTH);
  let escaped = false;
  let plainText = false;

  const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
  const skipSpace = (d: Uint8Array, pos: number, end: number): number => {
    while (pos < end && isSpace(d[pos])) pos++;
    return pos;
  };
  const isHex = (c: number): boolean =>
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

  /** d[pos] is '"'; returns the position after the closing quote, or -1. Sets `escaped`. */
  const skipString = (d: Uint8Array, pos: number, end: number): number => {
    escaped = false;
    if (plainText) {
      const quote = d.indexOf(0x22, pos + 1);
      return quote === -1 || quote >= end ? -1 : quote + 1;
    }
    let i = pos + 1;
    while (i < end) {
      const c = d[i];
      if (c === 0x22) return i + 1;
      if (c === 0x5c) {
        escaped = true;
        if (i + 1 >= end) return -1;
        const e = d[i + 1];
        if (e === 0x75) {
          if (i + 5 >= end) return -1;
          if (!isHex(d[i + 2]) || !isHex(d[i + 3]) || !isHex(d[i + 4]) || !isHex(d[i + 5])) {
            return -1;
          }
          i += 6;
        } else if (
          e === 0x22 ||
          e === 0x5c ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        ) {
          i += 2;
        } else {
          return -1;
        }
      } else if (c < 0x20) {
        return -1;
      } else {
        i++;
      }
    }
    return -1;
  };

  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  const skipDigits = (d: Uint8Array, pos: number, end: number): number => {
    while (pos < end && isDigit(d[pos])) pos++;
    return pos;
  };
  /** -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?; returns the end, or -1. */
  const skipNumber = (d: Uint8Array, pos: number, end: number): number => {
    if (d[pos] === 0x2d) pos++;
    if (pos >= end) return -1;
    if (d[pos] === 0x30) pos++;
    else if (d[pos] >= 0x31 && d[pos] <= 0x39) pos = skipDigits(d, pos + 1, end);
    else return -1;
    if (pos < end && d[pos] === 0x2e) {
      if (pos + 1 >= end || !isDigit(d[pos + 1])) return -1;
      pos = skipDigits(d, pos + 1, end);
    }
    if (pos < end && (d[pos] === 0x65 || d[pos] === 0x45)) {
      pos++;
      if (pos < end && (d[pos] === 0x2b || d[pos] === 0x2d)) pos++;
      if (pos >= end || !isDigit(d[pos])) return -1;
      pos = skipDigits(d, pos, end);
    }
    return pos;
  };
  const skipWord = (d: Uint8Array, pos: number, end: number, word: string): number => {
    if (pos + word.length > end) return -1;
    for (let i = 0; i < word.length; i++) if (d[pos + i] !== word.charCodeAt(i)) return -1;
    return pos + word.length;
  };

  /** After '{' (and whitespace): a key, ':' and whitespace; returns the value's position, or -1. */
  const skipKey = (d: Uint8Array, pos: number, end: number): number => {
    if (pos >= end || d[pos] !== 0x22) return -1;
    pos = skipString(d, pos, end);
    if (pos < 0) return -1;
    pos = skipSpace(d, pos, end);
    if (pos >= end || d[pos] !== 0x3a) return -1;
    return skipSpace(d, pos + 1, end);
  };

  /** Any JSON value at pos (no leading whitespace); returns its end, or -1. Iterative. */
  const skipValue = (d: Uint8Array, pos: number, end: number): number => {
    let depth = 0;
    for (;;) {
      if (pos >= end) return -1;
      const c = d[pos];
      if (c === 0x7b || c === 0x5b) {
        if (depth >= MAX_DEPTH) return -1;
        stack[depth++] = c;
        pos = skipSpace(d, pos + 1, end);
        if (pos < end && d[pos] === (c === 0x7b ? 0x7d : 0x5d)) {
          depth--;
          pos++;
        } else {
          if (c === 0x7b) pos = skipKey(d, pos, end);
          if (pos < 0) return -1;
          continue;
        }
      } else if (c === 0x22) {
        pos = skipString(d, pos, end);
      } else if (c === 0x74) {
        pos = skipWord(d, pos, end, 'true');
      } else if (c === 0x66) {
        pos = skipWord(d, pos, end, 'false');
      } else if (c === 0x6e) {
        pos = skipWord(d, pos, end, 'null');
      } else if (c === 0x2d || isDigit(c)) {
        pos = skipNumber(d, pos, end);
      } else {
        return -1;
      }
      if (pos < 0) return -1;
      // After a value: close containers, or go on after a comma.
      for (;;) {
        if (depth === 0) return pos;
        pos = skipSpace(d, pos, end);
        if (pos >= end) return -1;
        const open = stack[depth - 1];
        const next = d[pos];
        if (next === 0x2c) {
          pos = skipSpace(d, pos + 1, end);
          if (open === 0x7b) pos = skipKey(d, pos, end);
          if (pos < 0) return -1;
          break;
        }
        if (next === (open === 0x7b ? 0x7d : 0x5d)) {
          depth--;
          pos++;
          continue;
        }
        return -1;
      }
    }
  };

  const keyIndex = (d: Uint8Array, start: number, end: number): number => {
    const length = end - start;
    for (let k = 0; k < keyBytes.length; k++) {
      const key = keyBytes[k];
      if (key.length !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (d[start + i] !== key[i]) {
          same = false;
          break;
        }
      }
      if (same) return k;
    }
    return -1;
  };

  const scan = (d: Uint8Array, start: number, end: number, plain = false): boolean => {
    // A loop, not kinds.fill(0): for the few fields asked for, the builtin call costs more.
    for (let k = 0; k < kinds.length; k++) kinds[k] = 0;
    plainText = plain;
    let pos = skipSpace(d, start, end);
    if (pos >= end || d[pos] !== 0x7b) return false;
    pos = skipSpace(d, pos + 1, end);
    if (pos < end && d[pos] === 0x7d) return skipSpace(d, pos + 1, end) === end;
    for (;;) {
      if (pos >= end || d[pos] !== 0x22) return false;
      const keyStart = pos + 1;
      pos = skipString(d, pos, end);
      if (pos < 0) return false;
      // An escaped key may spell a wanted one ("te\u0078t"): JSON.parse decides those lines.
      if (escaped) return false;
      const field = keyIndex(d, keyStart, pos - 1);
      pos = skipSpace(d, pos, end);
      if (pos >= end || d[pos] !== 0x3a) return false;
      pos = skipSpace(d, pos + 1, end);
      const valueStart = pos;
      let kind: number;
      if (pos < end && d[pos] === 0x22) {
        pos = skipString(d, pos, end);
        kind = escaped ? 2 : 1;
      } else {
        pos = skipValue(d, pos, end);
        kind = 3;
      }
      if (pos < 0) return false;
      if (field >= 0) {
        // The last of duplicate keys wins, as in JSON.parse.
        kinds[field] = kind;
        starts[field] = kind === 1 ? valueStart + 1 : valueStart;
        ends[field] = kind === 1 ? pos - 1 : pos;
      }
      pos = skipSpace(d, pos, end);
      if (pos >= end) return false;
      if (d[pos] === 0x2c) {
        pos = skipSpace(d, pos + 1, end);
        continue;
      }
      if (d[pos] === 0x7d) return skipSpace(d, pos + 1, end) === end;
      return false;
    }
  };

  return { scan, kinds, starts, ends };
}
