import { verifyEvents } from '../../lineage';
import { VerifyCheck } from '../types';

/**
 * The lineage hook: lifecycle events (SPEC.md §3) are verified by lineage.ts, which re-derives
 * every event hash from its JCS form, checks the parent links and that a dataset event's checksum
 * is still its session's root. Events are store-wide, so this runs with --session too.
 */

export const lineage: VerifyCheck = {
  name: 'lineage',
  description:
    'every lifecycle event hashes to its stored hash, its parents precede it, a dataset still names its session root',
  run(ctx) {
    for (const f of verifyEvents(ctx.store)) {
      ctx.fail({
        event: f.event,
        message: `${f.type ?? 'event'} event ${f.event}: ${f.message}`,
      });
    }
  },
};
