import { CompactRange, EMPTY_ROOT, HASH_BYTES, decompose, leafHashesOf, toHex } from '../../merkle';
import { VerifyCheck } from '../types';
import { hex, sameBytes } from '../bytes';

export const sessionRoots: VerifyCheck = {
  name: 'session_roots',
  description:
    'each session’s record_count, frontier and root equal those of all its observations, in order',
  async run(ctx) {
    const roots = ctx.roots();
    for (const s of ctx.sessions) {
      const range = new CompactRange();
      for (const b of s.batches) {
        if (b.leaves === 0) continue;
        const root = Buffer.from(roots.subarray(32 * b.job, 32 * b.job + 32));
        const fingerprints = ctx.leaves.subarray(b.offset, b.offset + b.leaves * HASH_BYTES);
        // An aligned power-of-two batch is one subtree of the session tree: its root is appended
        // as it is; any other batch is hashed again as the subtrees that cover it.
        const pieces = decompose(range.size, range.size + b.leaves);
        if (pieces.length === 1) range.appendSubtree(root, pieces[0].height);
        else range.appendLeafHashes(leafHashesOf(fingerprints, b.leaves), b.leaves);
      }
      if (range.size !== s.record_count) {
        ctx.fail({
          session_id: s.uid,
          message: 'session record_count differs from the observations in its batches',
          expected: String(range.size),
          found: String(s.record_count),
        });
      }
      const root = range.size === 0 ? EMPTY_ROOT : range.root();
      if (!sameBytes(root, s.root)) {
        ctx.fail({
          session_id: s.uid,
          message: 'session root does not match its observations',
          expected: toHex(root),
          found: hex(s.root),
        });
      }
      if (!sameBytes(range.serialize(), s.frontier)) {
        ctx.fail({
          session_id: s.uid,
          message:
            'session frontier (compact range) does not match its observations; the next append would go wrong',
          expected: toHex(range.serialize()),
          found: hex(s.frontier),
        });
      }
    }
  },
};
