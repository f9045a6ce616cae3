import { fromHex, toHex } from '../../merkle';
import { UsageError } from '../../errors';
import { VerifyCheck } from '../types';
import { hex, sameBytes } from '../bytes';

export const pinnedRoot: VerifyCheck = {
  name: 'pinned_root',
  description: 'the session root equals the root given with --root',
  applies: (ctx) => ctx.options.root !== undefined,
  run(ctx) {
    const s = ctx.scope;
    if (!s || ctx.options.root === undefined) return;
    let pinned: Buffer;
    try {
      pinned = fromHex(ctx.options.root.trim(), '--root');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!sameBytes(pinned, s.root)) {
      ctx.fail({
        session_id: s.uid,
        message: 'session root differs from the root given with --root',
        expected: toHex(pinned),
        found: hex(s.root),
      });
    }
  },
};
