/**
 * Inclusion proofs (SPEC.md §2, RFC 9162 §2.1.3): that a sample is leaf `leaf_index` of a session
 * tree of `tree_size` leaves with root `root`. `buildProof` needs the store; `checkProof` needs
 * nothing but the proof and SHA-256, so anyone can check one offline.
 */
import { UsageError, VerificationError } from '../errors';
import {
  HASH_BYTES,
  fromHex,
  inclusionPath,
  inclusionPathWith,
  leafHash,
  leafHashesOf,
  nodeHash,
  rootOfLeafHashes,
  splitPoint,
  toHex,
  verifyInclusion,
  verifyInclusionOfLeafHash,
} from '../merkle';
import { checkConsistency } from '../proofs/consistency';
import { SampleQuery, forEachOccurrence, resolveSample } from './query';
import { SessionRow, getSession } from '../sessions/session';
import { originLeafData } from '../sessions/origins-root';
import { decodeOriginRuns, originNames } from '../store/observations';
import { Store } from '../store/store';

export const PROOF_VERSION = 1;
export const PROOF_ALGORITHM = 'RFC9162-SHA256';

export interface InclusionProof {
  version: typeof PROOF_VERSION;
  algorithm: typeof PROOF_ALGORITHM;
  session_id: string;
  leaf_index: number;
  tree_size: number;
  fingerprint: string;
  root: string;
  /** Audit path PATH(leaf_index, D[tree_size]), from the leaf upwards. */
  path: string[];
  /**
   * The observation proof (SPEC §2.1): the same leaf in the origins tree, so the proof also shows
   * which source and license the observation was recorded under.
   */
  origin?: ObservationOrigin;
}

export interface ObservationOrigin {
  source: string;
  license: string;
  /** SHA-256(JCS([source, license])): the leaf data at leaf_index of the origins tree. */
  leaf_data: string;
  origins_root: string;
  path: string[];
}

export interface ProofBatch {
  /** Session position of its first leaf. */
  start: number;
  count: number;
  root: Uint8Array;
  fingerprints: Uint8Array;
}

/**
 * MTH of session leaves [start, end), for the audit path. A batch of 2^h leaves starting at a
 * multiple of 2^h is a node of the session tree (every aligned power-of-two range is), so its
 * stored root answers for it; anything else is hashed from the leaves of the batch it lies in, or
 * split as RFC 6962 splits. A wrong stored root only yields a path that fails the check against
 * the session root below, never a wrong proof.
 */
export function sessionSubtreeRoot(batches: ProofBatch[], start: number, end: number): Uint8Array {
  // The batch holding `start` (batches are in position order).
  let lo = 0;
  let hi = batches.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (batches[mid].start <= start) lo = mid;
    else hi = mid - 1;
  }
  const b = batches[lo];
  const n = end - start;
  if (b.start === start && b.count === n && (n & (n - 1)) === 0 && start % n === 0) return b.root;
  if (end <= b.start + b.count) {
    const from = (start - b.start) * HASH_BYTES;
    return rootOfLeafHashes(
      leafHashesOf(b.fingerprints.subarray(from, from + n * HASH_BYTES), n),
      n,
    );
  }
  const k = splitPoint(n);
  return nodeHash(
    sessionSubtreeRoot(batches, start, start + k),
    sessionSubtreeRoot(batches, start + k, end),
  );
}

/** The proof of the sample's first observation in the session, against the stored session root. */
export function buildProof(store: Store, sessionId: string, query: SampleQuery): InclusionProof {
  const session = getSession(store, sessionId);
  const fp = resolveSample(store, query).fingerprint;
  const rows = store.all<{ fingerprints: Uint8Array; root: Uint8Array }>(
    'SELECT fingerprints, root FROM batches WHERE session_id = ? ORDER BY seq',
    [session.id],
  );
  const batches: ProofBatch[] = [];
  let size = 0;
  let index = -1;
  for (const row of rows) {
    if (index === -1) {
      forEachOccurrence(row.fingerprints, fp, (i) => {
        index = size + i;
        return false;
      });
    }
    const count = Math.floor(row.fingerprints.length / HASH_BYTES);
    if (count > 0)
      batches.push({ start: size, count, root: row.root, fingerprints: row.fingerprints });
    size += count;
  }
  if (index === -1) {
    throw new UsageError(
      `sample ${toHex(fp)} is not in session ${session.uid}`,
      'find the sessions that hold it with `origin trace`',
    );
  }
  if (size !== session.record_count) {
    throw new VerificationError(
      `session ${session.uid} records ${session.record_count} observations but its batches hold ${size}`,
      'run `origin verify`',
    );
  }
  const path = inclusionPathWith(size, index, (start, end) =>
    sessionSubtreeRoot(batches, start, end),
  );
  // The proof is against the stored root: if the observations no longer give it, say so now.
  if (!verifyInclusion(fp, index, size, path, session.root)) {
    throw new VerificationError(
      `the stored root of session ${session.uid} does not match its observations; no proof was written`,
      'run `origin verify`',
    );
  }
  return {
    version: PROOF_VERSION,
    algorithm: PROOF_ALGORITHM,
    session_id: session.uid,
    leaf_index: index,
    tree_size: size,
    fingerprint: toHex(fp),
    root: toHex(session.root),
    path: path.map((p) => toHex(p)),
    origin: observationOrigin(store, session, index, size),
  };
}

/** The origins-tree half of an observation proof, checked against the stored origins root. */
function observationOrigin(
  store: Store,
  session: SessionRow,
  index: number,
  size: number,
): ObservationOrigin {
  const names = originNames(store);
  const leafOf = new Map<number, Buffer>();
  const hashes: Buffer[] = [];
  let originId = -1;
  for (const b of store.all<{ origins: Uint8Array; record_count: number }>(
    'SELECT origins, record_count FROM batches WHERE session_id = ? ORDER BY seq',
    [session.id],
  )) {
    const runs = decodeOriginRuns(b.origins, b.record_count);
    for (let r = 0; r < runs.length; r += 2) {
      let leaf = leafOf.get(runs[r]);
      if (leaf === undefined) {
        const name = names.get(runs[r]);
        if (!name)
          throw new VerificationError(
            `an observation refers to origin ${runs[r]}, which does not exist`,
            'run `origin verify`',
          );
        leaf = leafHash(originLeafData(name[0], name[1]));
        leafOf.set(runs[r], leaf);
      }
      if (index >= hashes.length && index < hashes.length + runs[r + 1]) originId = runs[r];
      for (let k = 0; k < runs[r + 1]; k++) hashes.push(leaf);
    }
  }
  const name = names.get(originId);
  if (hashes.length !== size || !name) {
    throw new VerificationError(
      `the origins of session ${session.uid} do not cover its observations; no proof was written`,
      'run `origin verify`',
    );
  }
  const leafData = originLeafData(name[0], name[1]);
  const path = inclusionPath(hashes, index);
  if (!verifyInclusion(leafData, index, size, path, session.origins_root)) {
    throw new VerificationError(
      `the stored origins root of session ${session.uid} does not match its observations; no proof was written`,
      'run `origin verify`',
    );
  }
  return {
    source: name[0],
    license: name[1],
    leaf_data: toHex(leafData),
    origins_root: toHex(session.origins_root),
    path: path.map((p) => toHex(p)),
  };
}

export interface ProofCheck {
  /** An inclusion proof (RFC 9162 §2.1.3) or a consistency proof (§2.1.4). */
  kind: 'inclusion' | 'consistency';
  valid: boolean;
  /** Why the proof is invalid. */
  reason: string | null;
  leaf_index: unknown;
  tree_size: unknown;
  fingerprint: unknown;
  root: unknown;
  session_id: string | null;
  /** Whether the proof's root equals --root (null when no --root was given). */
  root_matches: boolean | null;
  /** What a valid proof without a pinned root leaves open (null when a root was pinned). */
  not_checked: string | null;
  /** Observation proofs: the source and license the leaf was recorded under, proven in origins_root. */
  origin?: { source: string; license: string; origins_root: string };
  /** Consistency proofs: the older and the newer tree. */
  size1?: unknown;
  size2?: unknown;
  root1?: unknown;
  root2?: unknown;
}

/** A proof names its own root, so without a root known from elsewhere it proves nothing. */
export const ROOT_NOT_CHECKED =
  'that the root is one you trust: a proof carries its own root, so on its own it shows only that it is self-consistent';

const REQUIRED = ['leaf_index', 'tree_size', 'fingerprint', 'root', 'path'] as const;
const CONSISTENCY_REQUIRED = ['size1', 'size2', 'root1', 'root2', 'path'] as const;
const HASH_HEX = /^[0-9a-f]{64}$/;

/**
 * Checks a proof given as text. Not JSON, not an object, a missing field or an unknown
 * version/algorithm is a usage error (exit 2); anything else wrong makes the proof invalid.
 */
export function checkProof(text: string, pinnedRoot?: string): ProofCheck {
  let pinned: string | undefined;
  if (pinnedRoot !== undefined) {
    try {
      pinned = toHex(fromHex(pinnedRoot.trim(), '--root'));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the proof is not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError('the proof is not a JSON object');
  }
  const p = doc as Record<string, unknown>;
  if ('size1' in p || p.kind === 'consistency') return checkConsistencyDocument(p, pinned);
  // A leaf given by its RFC 6962 leaf hash (transparency-dev's probes) instead of its data.
  const byLeafHash = !('fingerprint' in p) && 'leaf_hash' in p;
  const missing = REQUIRED.filter((k) => !(k in p) && !(k === 'fingerprint' && byLeafHash));
  if (missing.length > 0) {
    throw new UsageError(
      `the proof lacks ${missing.join(', ')}`,
      `a proof has ${REQUIRED.join(', ')}`,
    );
  }
  checkVersion(p);
  const result: ProofCheck = {
    kind: 'inclusion',
    valid: false,
    reason: null,
    leaf_index: p.leaf_index,
    tree_size: p.tree_size,
    fingerprint: byLeafHash ? p.leaf_hash : p.fingerprint,
    root: p.root,
    session_id: typeof p.session_id === 'string' ? p.session_id : null,
    root_matches: null,
    not_checked: pinned === undefined ? ROOT_NOT_CHECKED : null,
  };
  const invalid = (reason: string): ProofCheck => ({ ...result, reason });
  const { leaf_index: index, tree_size: size, path } = p;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 1) {
    return invalid('tree_size is not a positive integer');
  }
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
    return invalid('leaf_index is not a non-negative integer');
  }
  if (index >= size) return invalid(`leaf_index ${index} is not below tree_size ${size}`);
  const leaf = byLeafHash ? p.leaf_hash : p.fingerprint;
  if (typeof leaf !== 'string' || !HASH_HEX.test(leaf)) {
    return invalid(
      `${byLeafHash ? 'leaf_hash' : 'fingerprint'} is not 64 lowercase hex characters`,
    );
  }
  if (typeof p.root !== 'string' || !HASH_HEX.test(p.root)) {
    return invalid('root is not 64 lowercase hex characters');
  }
  if (!Array.isArray(path)) return invalid('path is not an array');
  const bad = path.findIndex((h) => typeof h !== 'string' || !HASH_HEX.test(h));
  if (bad !== -1) return invalid(`path[${bad}] is not 64 lowercase hex characters`);
  if (pinned !== undefined) {
    result.root_matches = p.root === pinned;
    if (!result.root_matches) return invalid(`the proof's root is not the root given with --root`);
  }
  const ok = (byLeafHash ? verifyInclusionOfLeafHash : verifyInclusion)(
    Buffer.from(leaf, 'hex'),
    index,
    size,
    (path as string[]).map((h) => Buffer.from(h, 'hex')),
    Buffer.from(p.root, 'hex'),
  );
  if (!ok) {
    return invalid(
      `the path does not lead from the fingerprint at leaf ${index} of ${size} to the root`,
    );
  }
  if ('origin' in p) {
    const why = checkObservationOrigin(p.origin, index, size);
    if (why !== null) return invalid(why);
    const o = p.origin as ObservationOrigin;
    return {
      ...result,
      valid: true,
      origin: { source: o.source, license: o.license, origins_root: o.origins_root },
    };
  }
  return { ...result, valid: true };
}

function checkVersion(p: Record<string, unknown>): void {
  if ('version' in p && p.version !== PROOF_VERSION) {
    throw new UsageError(`proof version ${JSON.stringify(p.version)} is not supported (only 1)`);
  }
  if ('algorithm' in p && p.algorithm !== PROOF_ALGORITHM) {
    throw new UsageError(
      `proof algorithm ${JSON.stringify(p.algorithm)} is not supported (only ${PROOF_ALGORITHM})`,
    );
  }
}

/** A consistency proof; `pinned` (--root) is the newer root, the one you trust. */
function checkConsistencyDocument(
  p: Record<string, unknown>,
  pinned: string | undefined,
): ProofCheck {
  const missing = CONSISTENCY_REQUIRED.filter((k) => !(k in p));
  if (missing.length > 0) {
    throw new UsageError(
      `the consistency proof lacks ${missing.join(', ')}`,
      `a consistency proof has ${CONSISTENCY_REQUIRED.join(', ')}`,
    );
  }
  checkVersion(p);
  const c = checkConsistency(p);
  const result: ProofCheck = {
    kind: 'consistency',
    valid: c.valid,
    reason: c.reason,
    leaf_index: null,
    tree_size: p.size2,
    fingerprint: null,
    root: p.root2,
    session_id: typeof p.session_id === 'string' ? p.session_id : null,
    root_matches: null,
    not_checked: pinned === undefined ? ROOT_NOT_CHECKED : null,
    size1: p.size1,
    size2: p.size2,
    root1: p.root1,
    root2: p.root2,
  };
  if (pinned !== undefined) {
    result.root_matches = p.root2 === pinned;
    if (!result.root_matches) {
      return {
        ...result,
        valid: false,
        reason: "the proof's root2 is not the root given with --root",
      };
    }
  }
  return result;
}

/** Why the origins half of an observation proof fails, or null when it holds (SPEC §2.1). */
function checkObservationOrigin(value: unknown, index: number, size: number): string | null {
  if (typeof value !== 'object' || value === null) return 'origin is not an object';
  const o = value as Record<string, unknown>;
  if (typeof o.source !== 'string' || typeof o.license !== 'string') {
    return 'origin lacks its source or license';
  }
  if (typeof o.origins_root !== 'string' || !HASH_HEX.test(o.origins_root)) {
    return 'origin.origins_root is not 64 lowercase hex characters';
  }
  if (!Array.isArray(o.path) || o.path.some((h) => typeof h !== 'string' || !HASH_HEX.test(h))) {
    return 'origin.path is not a list of 64-hex hashes';
  }
  const leafData = originLeafData(o.source, o.license);
  if (o.leaf_data !== undefined && o.leaf_data !== toHex(leafData)) {
    return 'origin.leaf_data is not SHA-256(JCS([source, license]))';
  }
  const ok = verifyInclusion(
    leafData,
    index,
    size,
    (o.path as string[]).map((h) => Buffer.from(h, 'hex')),
    Buffer.from(o.origins_root, 'hex'),
  );
  return ok
    ? null
    : `the origins path does not lead from [source, license] at leaf ${index} to the origins root`;
}
