import { fromHex, toHex } from '../../merkle';
import { UsageError } from '../../errors';
import { storeHead, storeLogLeaves } from '../../store-log';
import { VerifyCheck } from '../types';
import { hex, sameBytes } from '../bytes';
import { derivedHead } from './session-heads';

/**
 * SPEC §2.4: the store log holds each ended session's head and each lineage event's hash, once,
 * at consecutive positions, and nothing else. Store-wide, so this runs with --session too. A
 * session removed together with its leaf is not visible here: pinning the store head is.
 */
export const storeLog: VerifyCheck = {
  name: 'store_log',
  description:
    'the store log holds every ended session’s head and every lineage event’s hash, once each, at consecutive positions (SPEC §2.4)',
  run(ctx) {
    const leaves = storeLogLeaves(ctx.store);
    const sessions = new Map(
      ctx.store
        .all<{ id: number; uid: string; status: string }>('SELECT id, uid, status FROM sessions')
        .map((s) => [s.id, s]),
    );
    const events = new Map(
      ctx.store
        .all<{ id: number; hash: Uint8Array }>('SELECT id, hash FROM events')
        .map((e) => [e.id, e]),
    );
    const byId = new Map(ctx.sessions.map((s) => [s.id, s]));
    const sealedSessions = new Set<number>();
    const sealedEvents = new Set<number>();
    leaves.forEach((l, i) => {
      const at = `store log leaf ${i}`;
      if (l.position !== i) {
        ctx.fail({
          message: `${at} is at position ${l.position}: a leaf was removed or moved`,
          expected: String(i),
          found: String(l.position),
        });
      }
      if (l.session_id !== null) {
        const s = sessions.get(l.session_id);
        if (!s) {
          ctx.fail({ message: `${at} seals session row ${l.session_id}, which does not exist` });
          return;
        }
        sealedSessions.add(l.session_id);
        if (s.status === 'open') {
          ctx.fail({ session_id: s.uid, message: `${at} seals a session that is still open` });
        }
        const rec = byId.get(l.session_id);
        const head = rec ? derivedHead(rec) : undefined;
        if (head instanceof Buffer && !sameBytes(head, l.leaf)) {
          ctx.fail({
            session_id: s.uid,
            message: `${at} is not the session’s head: the session changed after it ended`,
            expected: toHex(head),
            found: hex(l.leaf),
          });
        }
      } else if (l.event_id !== null) {
        const e = events.get(l.event_id);
        if (!e) {
          ctx.fail({ message: `${at} seals event row ${l.event_id}, which does not exist` });
          return;
        }
        sealedEvents.add(l.event_id);
        if (!sameBytes(e.hash, l.leaf)) {
          ctx.fail({
            event: hex(e.hash),
            message: `${at} is not the event’s hash`,
            expected: hex(e.hash),
            found: hex(l.leaf),
          });
        }
      } else {
        ctx.fail({ message: `${at} seals neither a session nor an event` });
      }
    });
    for (const s of sessions.values()) {
      if (s.status !== 'open' && !sealedSessions.has(s.id)) {
        ctx.fail({ session_id: s.uid, message: `session is ${s.status} but not in the store log` });
      }
    }
    for (const e of events.values()) {
      if (!sealedEvents.has(e.id)) {
        ctx.fail({ event: hex(e.hash), message: `event ${hex(e.hash)} is not in the store log` });
      }
    }
  },
};

export const pinnedStoreHead: VerifyCheck = {
  name: 'pinned_store_head',
  description:
    'the store log of the size given with --store-size has the root given with --store-root, and the log has not shrunk',
  applies: (ctx) => ctx.options.storeRoot !== undefined,
  run(ctx) {
    const { storeRoot, storeSize } = ctx.options;
    if (storeRoot === undefined || storeSize === undefined) return;
    let pinned: Buffer;
    try {
      pinned = fromHex(storeRoot.trim(), '--store-root');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const current = storeHead(ctx.store);
    if (storeSize > current.tree_size) {
      ctx.fail({
        message: `the store log has ${current.tree_size} leaves, fewer than the ${storeSize} pinned: sealed sessions or events were removed`,
        expected: String(storeSize),
        found: String(current.tree_size),
      });
      return;
    }
    const prefix = storeHead(ctx.store, storeSize);
    if (prefix.root !== toHex(pinned)) {
      ctx.fail({
        message: `the first ${storeSize} leaves of the store log do not have the pinned root: a sealed session or event was removed or rewritten`,
        expected: toHex(pinned),
        found: prefix.root,
      });
    }
  },
};
