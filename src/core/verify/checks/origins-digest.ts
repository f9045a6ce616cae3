import { toHex } from '../../merkle';
import { originNames } from '../../store/observations';
import { streamOriginsDigest } from '../../sessions/origins-digest';
import { VerifyCheck } from '../types';
import { hex, sameBytes } from '../bytes';

export const originsDigest: VerifyCheck = {
  name: 'origins_digest',
  description:
    'each session’s origins digest equals the digest of every observation’s source and license, in order',
  run(ctx) {
    const pass = ctx.observationPass();
    const names = originNames(ctx.store);
    for (const s of ctx.sessions) {
      let digest: Buffer;
      try {
        digest = streamOriginsDigest(
          names,
          s.batches.map((b) => pass.origins[b.job]),
        );
      } catch (err) {
        ctx.fail({
          session_id: s.uid,
          message: `origins digest cannot be re-derived: ${(err as Error).message}`,
        });
        continue;
      }
      if (!sameBytes(digest, s.origins_digest)) {
        ctx.fail({
          session_id: s.uid,
          message:
            'origins digest differs: a source name, license or observation origin was changed',
          expected: toHex(digest),
          found: hex(s.origins_digest),
        });
      }
    }
  },
};
