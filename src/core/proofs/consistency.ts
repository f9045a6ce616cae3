/**
 * Consistency proofs (SPEC.md §2, RFC 9162 §2.1.4) that a tree grew by appending only: for a
 * session appended over several ingests, and for the store log (SPEC §2.4). `buildConsistency`
 * needs the store; `checkConsistency` nothing but the proof and SHA-256.
 */
import { UsageError, VerificationError } from '../errors';
import {
  HASH_BYTES,
  consistencyPathWith,
  leafHashes,
  subtreeRoot,
  toHex,
  verifyConsistency,
} from '../merkle';
import { PROOF_ALGORITHM, PROOF_VERSION, ProofBatch, sessionSubtreeRoot } from '../samples/prove';
import { getSession } from '../sessions/session';
import { storeLogLeafData } from '../store-log';
import { Store } from '../store/store';

export interface ConsistencyProof {
  version: typeof PROOF_VERSION;
  algorithm: typeof PROOF_ALGORITHM;
  kind: 'consistency';
  /** Which tree: a session's, or the store log. */
  log: 'session' | 'store';
  session_id: string | null;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  path: string[];
}

/** The proof that the tree of `fromSize` leaves is a prefix of the current one. */
export function buildConsistency(
  store: Store,
  options: { session?: string; fromSize: number },
): ConsistencyProof {
  const { fromSize } = options;
  let size: number;
  let rootOf: (start: number, end: number) => Uint8Array;
  let storedRoot: string | undefined;
  let sessionId: string | null = null;
  if (options.session !== undefined) {
    const session = getSession(store, options.session);
    sessionId = session.uid;
    const batches: ProofBatch[] = [];
    size = 0;
    for (const row of store.all<{ fingerprints: Uint8Array; root: Uint8Array }>(
      'SELECT fingerprints, root FROM batches WHERE session_id = ? ORDER BY seq',
      [session.id],
    )) {
      const count = Math.floor(row.fingerprints.length / HASH_BYTES);
      if (count > 0)
        batches.push({ start: size, count, root: row.root, fingerprints: row.fingerprints });
      size += count;
    }
    rootOf = (start, end) => sessionSubtreeRoot(batches, start, end);
    storedRoot = toHex(session.root);
  } else {
    const hashes = leafHashes(storeLogLeafData(store));
    size = hashes.length;
    rootOf = (start, end) => subtreeRoot(hashes, start, end);
  }
  const what = sessionId ? `session ${sessionId}` : 'the store log';
  if (!Number.isSafeInteger(fromSize) || fromSize < 1 || fromSize > size) {
    throw new UsageError(
      `--from-size ${fromSize} is not a size ${what} has had (1 to ${size})`,
      'give the tree_size of the older root you hold',
    );
  }
  const root2 = size === 0 ? '' : toHex(rootOf(0, size));
  if (storedRoot !== undefined && root2 !== storedRoot) {
    throw new VerificationError(
      `the stored root of ${what} does not match its observations; no proof was written`,
      'run `origin verify`',
    );
  }
  const path = fromSize === size ? [] : consistencyPathWith(fromSize, size, rootOf);
  return {
    version: PROOF_VERSION,
    algorithm: PROOF_ALGORITHM,
    kind: 'consistency',
    log: sessionId ? 'session' : 'store',
    session_id: sessionId,
    size1: fromSize,
    size2: size,
    root1: toHex(rootOf(0, fromSize)),
    root2,
    path: path.map((p) => toHex(p)),
  };
}

export interface ConsistencyCheck {
  valid: boolean;
  reason: string | null;
  size1: unknown;
  size2: unknown;
  root1: unknown;
  root2: unknown;
}

const HEX = /^(?:[0-9a-f]{2})*$/;

/** Checks a consistency proof document (fields already present); never throws for bad values. */
export function checkConsistency(p: Record<string, unknown>): ConsistencyCheck {
  const result: ConsistencyCheck = {
    valid: false,
    reason: null,
    size1: p.size1,
    size2: p.size2,
    root1: p.root1,
    root2: p.root2,
  };
  const invalid = (reason: string): ConsistencyCheck => ({ ...result, reason });
  const { size1, size2, root1, root2, path } = p;
  if (typeof size1 !== 'number' || !Number.isSafeInteger(size1) || size1 < 1) {
    return invalid('size1 is not a positive integer (a proof from the empty tree proves nothing)');
  }
  if (typeof size2 !== 'number' || !Number.isSafeInteger(size2) || size2 < size1) {
    return invalid('size2 is not an integer at least size1');
  }
  // Roots are only compared, so any hex is read; a root of the wrong length simply fails.
  if (typeof root1 !== 'string' || !HEX.test(root1)) return invalid('root1 is not lowercase hex');
  if (typeof root2 !== 'string' || !HEX.test(root2)) return invalid('root2 is not lowercase hex');
  if (!Array.isArray(path)) return invalid('path is not an array');
  const bad = path.findIndex((h) => typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h));
  if (bad !== -1) return invalid(`path[${bad}] is not 64 lowercase hex characters`);
  const ok = verifyConsistency(
    size1,
    size2,
    Buffer.from(root1, 'hex'),
    Buffer.from(root2, 'hex'),
    (path as string[]).map((h) => Buffer.from(h, 'hex')),
  );
  if (!ok) {
    return invalid(
      `the path does not show the tree of ${size1} leaves is a prefix of the tree of ${size2}`,
    );
  }
  return { ...result, valid: true };
}
