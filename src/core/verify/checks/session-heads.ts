import { toHex } from '../../merkle';
import { headDocument, headOf } from '../../sessions/head';
import { SessionRec, VerifyCheck } from '../types';
import { hex, sameBytes } from '../bytes';

/** The head of what the row holds now, or why it cannot be derived. */
export function derivedHead(s: SessionRec): Buffer | string {
  try {
    return headOf(headDocument(s));
  } catch (err) {
    return (err as Error).message;
  }
}

export const sessionHeads: VerifyCheck = {
  name: 'session_heads',
  description:
    'each session’s head equals the hash of its status, times, config hash, metadata, totals, root and origins root (SPEC §2.2)',
  run(ctx) {
    for (const s of ctx.sessions) {
      const head = derivedHead(s);
      if (typeof head === 'string') {
        ctx.fail({ session_id: s.uid, message: `session head cannot be re-derived: ${head}` });
      } else if (!sameBytes(head, s.head)) {
        ctx.fail({
          session_id: s.uid,
          message:
            'session head differs from the session’s fields: its status, times, config hash, metadata, totals, root or origins root was changed',
          expected: toHex(head),
          found: hex(s.head),
        });
      }
    }
  },
};
