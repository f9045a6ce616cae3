/**
 * Sample fingerprints, SPEC.md §1: SHA-256 of the content bytes, where a whole JSONL record's
 * content is its RFC 8785 (JCS) form.
 */
import canonicalize from 'canonicalize';
import { sha256 } from '../merkle/hash';

/** RFC 8785 (JCS) canonical form of a JSON value. Throws on values JSON cannot represent. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

/** SHA-256 fingerprint (32 bytes) of content given as raw bytes or as a UTF-8 string. */
export function fingerprint(content: Uint8Array | string): Buffer {
  return sha256(content);
}
