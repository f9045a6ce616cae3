import { toHex } from '../../merkle';
import { VerifyCheck } from '../types';
import { hex, sameBytes } from '../bytes';

export const batchRoots: VerifyCheck = {
  name: 'batch_roots',
  description: 'each batch root is the RFC 6962 Merkle root of its fingerprints column',
  async run(ctx) {
    const roots = ctx.roots();
    for (const b of ctx.batches) {
      const derived = roots.subarray(32 * b.job, 32 * b.job + 32);
      if (!sameBytes(derived, b.root)) {
        ctx.fail({
          session_id: ctx.sessionOf(b)?.uid,
          batch_seq: b.seq,
          message: 'batch root does not match its fingerprints',
          expected: toHex(derived),
          found: hex(b.root),
        });
      }
    }
  },
};
