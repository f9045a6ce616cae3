/**
 * The event hash (SPEC.md §3):
 *
 *     event hash = SHA-256( JCS({"type", "parents": [sorted hex hashes], "payload", "timestamp"}) )
 *
 * JCS (RFC 8785) makes the pre-image unambiguous: strings are JSON-escaped, so no value can
 * imitate a delimiter, and numbers are written in ES6 shortest round-trip form.
 */
import { sha256 } from '../merkle';
import { canonicalJson } from '../samples/fingerprint';
import { Payload } from './event';

/** What the hash covers. Parents are lowercase hex hashes, in any order (they are sorted). */
export interface EventContent {
  type: string;
  parents: readonly string[];
  payload: Payload;
  timestamp: string;
}

/** The exact bytes that are hashed: JCS of {type, parents (sorted), payload, timestamp}. */
export function eventPreimage(content: EventContent): string {
  return canonicalJson({
    type: content.type,
    parents: [...content.parents].sort(),
    payload: content.payload,
    timestamp: content.timestamp,
  });
}

/** SHA-256 of the event's pre-image (32 bytes). */
export function eventHash(content: EventContent): Buffer {
  return sha256(eventPreimage(content));
}
