import { toHex } from '../../merkle';
import { originNames } from '../../store/observations';
import { OriginsTree } from '../../sessions/origins-root';
import { VerifyCheck } from '../types';
import { hex, sameBytes } from '../bytes';

export const originsRoots: VerifyCheck = {
  name: 'origins_roots',
  description:
    'each session’s origins root and origins frontier equal the tree of every observation’s source and license, in order (SPEC §2.1)',
  run(ctx) {
    const pass = ctx.observationPass();
    const names = originNames(ctx.store);
    for (const s of ctx.sessions) {
      const tree = new OriginsTree((id) => names.get(id));
      try {
        for (const b of s.batches) {
          const runs = pass.origins[b.job];
          if (typeof runs === 'string') throw new RangeError(`batch ${b.seq}: ${runs}`);
          tree.addRuns(runs, runs.length);
        }
      } catch (err) {
        ctx.fail({
          session_id: s.uid,
          message: `origins root cannot be re-derived: ${(err as Error).message}`,
        });
        continue;
      }
      if (!sameBytes(tree.root(), s.origins_root)) {
        ctx.fail({
          session_id: s.uid,
          message: 'origins root differs: a source name, license or observation origin was changed',
          expected: toHex(tree.root()),
          found: hex(s.origins_root),
        });
      }
      if (!sameBytes(tree.frontier(), s.origins_frontier)) {
        ctx.fail({
          session_id: s.uid,
          message:
            'origins frontier (compact range) does not match the observations’ origins; the next append would go wrong',
          expected: toHex(tree.frontier()),
          found: hex(s.origins_frontier),
        });
      }
    }
  },
};
