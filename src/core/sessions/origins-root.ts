/**
 * The origins root (SPEC.md §2.1): a second RFC 6962 tree, beside the session tree, whose leaf i
 * is SHA-256(JCS([source, license])) of observation i. It commits to where every sample came from
 * and under which license, so relabelling one observation changes it. Observations are stored as
 * runs of one origin, so each distinct origin is hashed once and a run is appended as the perfect
 * subtrees of equal leaves that cover it (CompactRange.appendRepeatedLeaf).
 */
import { CompactRange, EMPTY_ROOT, RepeatedLeaf, leafHash, sha256 } from '../merkle';
import { canonicalJson } from '../samples/fingerprint';
import { decodeOriginRuns, originNames } from '../store/observations';
import type { Store } from '../store/store';

/** SPEC §2.1: the origin leaf data of an observation from `source` under `license`. */
export function originLeafData(source: string, license: string): Buffer {
  return sha256(canonicalJson([source, license]));
}

type NameOf = (originId: number) => readonly [string, string] | undefined;

/** The origins tree of a session, appended run by run; origin ids are named by `nameOf`. */
export class OriginsTree {
  private readonly leaves = new Map<number, RepeatedLeaf>();

  constructor(
    private readonly nameOf: NameOf,
    readonly range: CompactRange = new CompactRange(),
  ) {}

  /** Appends the first `length` entries of `runs`: [origin id, run length, …]. */
  addRuns(runs: ArrayLike<number>, length: number): void {
    for (let r = 0; r < length; r += 2) {
      if (runs[r + 1] > 0) this.range.appendRepeatedLeaf(this.leafOf(runs[r]), runs[r + 1]);
    }
  }

  get size(): number {
    return this.range.size;
  }

  root(): Buffer {
    return this.range.size === 0 ? EMPTY_ROOT : this.range.root();
  }

  frontier(): Buffer {
    return this.range.serialize();
  }

  private leafOf(originId: number): RepeatedLeaf {
    let leaf = this.leaves.get(originId);
    if (leaf === undefined) {
      const name = this.nameOf(originId);
      if (name === undefined) {
        throw new RangeError(`an observation refers to origin ${originId}, which does not exist`);
      }
      leaf = new RepeatedLeaf(leafHash(originLeafData(name[0], name[1])));
      this.leaves.set(originId, leaf);
    }
    return leaf;
  }
}

/** The origins tree of a stored session, from its batches' origins columns in order. */
export function storedOriginsTree(
  store: Store,
  sessionId: number,
  names: ReadonlyMap<number, readonly [string, string]> = originNames(store),
): OriginsTree {
  const tree = new OriginsTree((id) => names.get(id));
  const statement = store.db.prepare(
    'SELECT record_count, origins FROM batches WHERE session_id = ? ORDER BY seq',
  );
  try {
    statement.bind([sessionId]);
    while (statement.step()) {
      const [count, origins] = statement.get() as [number, Uint8Array];
      const runs = decodeOriginRuns(origins, count);
      tree.addRuns(runs, runs.length);
    }
  } finally {
    statement.free();
  }
  return tree;
}

/** Schema migration 4: the origins root and frontier of every session already recorded. */
export function deriveOriginsRoots(store: Store): void {
  const names = originNames(store);
  const sessions = store.all<{ id: number }>('SELECT id FROM sessions ORDER BY id');
  for (const { id } of sessions) {
    const tree = storedOriginsTree(store, id, names);
    store.run('UPDATE sessions SET origins_frontier = ?, origins_root = ? WHERE id = ?', [
      tree.frontier(),
      tree.root(),
      id,
    ]);
  }
}
