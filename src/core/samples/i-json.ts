/**
 * RFC 8785 canonicalises I-JSON (RFC 7493) only. JSON.parse accepts more and changes it silently:
 * 1e400 becomes Infinity, "\ud800" a lone surrogate (UTF-8 turns it into U+FFFD, so it would
 * fingerprint as "\ufffd" does), and of duplicate keys the last one wins. A record must meet
 * I-JSON, and a nesting depth that every tool can walk, before it is fingerprinted.
 */

/** Deepest accepted nesting of objects and arrays in one record (README: "Bad input"). */
export const MAX_DEPTH = 512;

/** A JSON escape of a UTF-16 surrogate: the only way a lone surrogate can get into valid UTF-8 JSON. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

interface Walk {
  keys: number;
  checkStrings: boolean;
}

/** Why a parsed record is not I-JSON, or undefined when it is. `text` is the line it came from. */
export function iJsonViolation(value: unknown, text: string): string | undefined {
  const checkStrings = text.includes('\\u') && SURROGATE_ESCAPE.test(text);
  const walk: Walk = { keys: 0, checkStrings };
  const reason = visit(value, 1, walk);
  if (reason !== undefined) return reason;
  return walk.keys > 0 && mayRepeatKeys(text, walk.keys) ? duplicateKey(text) : undefined;
}

/**
 * False when the text cannot hold more keys than were parsed. Every key is a closing quote, maybe
 * white space, then a colon; colons inside strings (URLs, times) follow no quote, except after
 * an escaped one (\\":), which can only make the count larger.
 */
function mayRepeatKeys(text: string, parsedKeys: number): boolean {
  let keys = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) {
    let before = at - 1;
    while (isWhiteSpace(text.charCodeAt(before))) before--;
    if (text.charCodeAt(before) === 0x22 && ++keys > parsedKeys) return true;
  }
  return false;
}

function isWhiteSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function visit(value: unknown, depth: number, walk: Walk): string | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? undefined
      : 'a number overflows a double (I-JSON allows finite doubles only; quote it as a string)';
  }
  if (typeof value === 'string') return checkString(value, walk);
  if (value === null || typeof value !== 'object') return undefined;
  if (depth > MAX_DEPTH) return `nesting is deeper than ${MAX_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const reason = visit(item, depth + 1, walk);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    walk.keys++;
    const reason = checkString(key, walk) ?? visit(object[key], depth + 1, walk);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

function checkString(value: string, walk: Walk): string | undefined {
  if (!walk.checkStrings || value.isWellFormed()) return undefined;
  return 'a string holds a lone UTF-16 surrogate (\\ud800-\\udfff escape), which is not Unicode text';
}

/** The first key that repeats within one object of valid JSON text, as a message. */
function duplicateKey(text: string): string | undefined {
  // One set of keys per open object, null per open array. Strings are skipped whole with
  // indexOf, so the loop visits only the few characters between them.
  const open: (Set<string> | null)[] = [];
  for (let at = 0; at < text.length;) {
    const quote = text.indexOf('"', at);
    const structureEnd = quote === -1 ? text.length : quote;
    for (let i = at; i < structureEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7b) open.push(new Set());
      else if (c === 0x5b) open.push(null);
      else if (c === 0x7d || c === 0x5d) open.pop();
    }
    if (quote === -1) break;
    const close = closingQuote(text, quote);
    at = close + 1;
    const keys = open[open.length - 1];
    if (!keys || !followedByColon(text, at)) continue;
    const raw = text.slice(quote + 1, close);
    const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    if (keys.has(key)) {
      return `duplicate key ${JSON.stringify(key)} in one object (I-JSON forbids repeated keys; keep one)`;
    }
    keys.add(key);
  }
  return undefined;
}

/** The index of the quote that ends the string opening at `open` (one not escaped by a backslash). */
function closingQuote(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return close;
    close = text.indexOf('"', close + 1);
  }
}

function followedByColon(text: string, at: number): boolean {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) return true;
    if (!isWhiteSpace(c)) return false;
  }
  return false;
}
