/** How checks print and compare stored hashes. */
import { toHex } from '../merkle';

export function hex(bytes: Uint8Array | null | undefined): string {
  return bytes instanceof Uint8Array ? toHex(bytes) : String(bytes);
}

export function sameBytes(a: Uint8Array, b: Uint8Array | null | undefined): boolean {
  return b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
}
