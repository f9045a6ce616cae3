import { fromHex, toHex } from '../../merkle';
import { UsageError } from '../../errors';
import { VerifyCheck } from '../types';
import { derivedHead } from './session-heads';
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

export const pinnedHead: VerifyCheck = {
  name: 'pinned_head',
  description: 'the session head, re-derived from the session, equals the head given with --head',
  applies: (ctx) => ctx.options.head !== undefined,
  run(ctx) {
    const s = ctx.scope;
    if (!s || ctx.options.head === undefined) return;
    let pinned: Buffer;
    try {
      pinned = fromHex(ctx.options.head.trim(), '--head');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const derived = derivedHead(s);
    const head = typeof derived === 'string' ? Buffer.from(s.head) : derived;
    if (sameBytes(pinned, head)) return;
    // What the head commits to beyond the samples: name it, so a relabelling is recognisable.
    const samples =
      ctx.options.root !== undefined && sameBytes(fromHex(ctx.options.root.trim()), s.root)
        ? 'the session root matches --root, so the samples are as published: the change is in '
        : 'the change is in the samples (session root) or in ';
    ctx.fail({
      session_id: s.uid,
      message: `session head differs from the head given with --head: ${samples}the origins root (the sources and licenses of the observations), the totals, times, status, config hash or metadata`,
      expected: toHex(pinned),
      found: toHex(head),
    });
  },
};
