/**
 * A dense index of 32-byte fingerprints: each distinct fingerprint gets the next integer (0, 1, …),
 * so callers keep per-sample values in typed arrays (sizes, counts) instead of Maps of strings.
 * Open addressing over one flat key buffer: a million distinct samples cost ~45 MB and no
 * per-entry objects, and a lookup is a few integer operations.
 */
import { randomBytes } from 'node:crypto';

const KEY = 32;

export class FingerprintIndex {
  private keys: Uint8Array;
  /** Slot → key index + 1; 0 is empty. */
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  // Fingerprints are SHA-256 outputs of untrusted content: a per-process seed keeps anyone from
  // grinding contents whose fingerprints all land in the same slots.
  private readonly seed0: number;
  private readonly seed1: number;

  constructor(expected = 1024) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.keys = new Uint8Array((capacity / 2) * KEY);
    const seed = randomBytes(8);
    this.seed0 = seed.readInt32LE(0);
    this.seed1 = seed.readInt32LE(4);
  }

  /** Distinct fingerprints held. */
  get size(): number {
    return this.count;
  }

  /** The index of the fingerprint at src[offset, offset + 32), adding it if it is new. */
  add(src: Uint8Array, offset: number): number {
    let slot = this.slotOf(src, offset) & this.mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) break;
      if (this.equals(entry - 1, src, offset)) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
    const index = this.count++;
    const keys = this.keys;
    const base = index * KEY;
    for (let i = 0; i < KEY; i++) keys[base + i] = src[offset + i];
    this.slots[slot] = index + 1;
    if (this.count * 2 > this.mask) this.grow();
    return index;
  }

  /** The index of the fingerprint at src[offset, offset + 32), or -1 when it is not held. */
  indexOf(src: Uint8Array, offset: number): number {
    let slot = this.slotOf(src, offset) & this.mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) return -1;
      if (this.equals(entry - 1, src, offset)) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  private equals(index: number, src: Uint8Array, offset: number): boolean {
    const keys = this.keys;
    const base = index * KEY;
    for (let i = 0; i < KEY; i++) if (keys[base + i] !== src[offset + i]) return false;
    return true;
  }

  private slotOf(src: Uint8Array, offset: number): number {
    const w0 =
      src[offset] | (src[offset + 1] << 8) | (src[offset + 2] << 16) | (src[offset + 3] << 24);
    const w1 =
      src[offset + 4] | (src[offset + 5] << 8) | (src[offset + 6] << 16) | (src[offset + 7] << 24);
    let h = Math.imul(w0 ^ this.seed0, 0x85ebca6b) ^ Math.imul(w1 ^ this.seed1, 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return h ^ (h >>> 13);
  }

  private grow(): void {
    const capacity = this.slots.length * 2;
    const keys = new Uint8Array((capacity / 2) * KEY);
    keys.set(this.keys.subarray(0, this.count * KEY));
    this.keys = keys;
    this.slots = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let index = 0; index < this.count; index++) {
      let slot = this.slotOf(keys, index * KEY) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = index + 1;
    }
  }
}
