/**
 * `origin verify`: re-derives everything the store claims from the data it holds, like `git fsck`.
 *
 * Nothing stored is trusted: every batch root is recomputed from its fingerprints column, every
 * session root and frontier from all of its observations in order, every origins root, count
 * and byte total from the columns and the sample sizes, and every reference is followed. Each
 * failure says what broke, where (session, batch, position) and what was expected vs found.
 *
 * The checks are a list (VERIFY_CHECKS) run in order against one VerifyContext, which loads the
 * batches once and re-derives every batch root (node:crypto) when a check first asks for them.
 */
import { fromHex } from '../merkle';
import { Store } from '../store/store';
import { UsageError } from '../errors';
import { CheckResult, VerifyCheck, VerifyOptions, VerifyReport } from './types';
import { VerifyContext } from './context';
import { sqliteIntegrity } from './checks/sqlite-integrity';
import { references } from './checks/references';
import { batchLayout } from './checks/batch-layout';
import { totals } from './checks/totals';
import { originsRoots } from './checks/origins-roots';
import { batchRoots } from './checks/batch-roots';
import { sessionRoots } from './checks/session-roots';
import { pinnedHead, pinnedRoot } from './checks/pinned-root';
import { sessionHeads } from './checks/session-heads';
import { lineage } from './checks/lineage';
import { pinnedStoreHead, storeLog } from './checks/store-log';

export { SampleIndex } from './sample-index';
export { VerifyContext } from './context';
export * from './types';

/**
 * Every check, in the order they run (and are reported). The hashing checks come late: their
 * hashes are computed on worker threads while the checks before them run. A new kind of stored
 * data gets its check here (as lineage did).
 */
export const VERIFY_CHECKS: readonly VerifyCheck[] = [
  sqliteIntegrity,
  references,
  batchLayout,
  totals,
  originsRoots,
  batchRoots,
  sessionRoots,
  sessionHeads,
  pinnedRoot,
  pinnedHead,
  lineage,
  storeLog,
  pinnedStoreHead,
];

/** Runs every check; the report says what failed (exit 3 is the caller's to set). */
export async function verifyStore(
  store: Store,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  for (const [flag, value] of [
    ['--root', options.root],
    ['--head', options.head],
    ['--store-root', options.storeRoot],
  ] as const) {
    if (value === undefined) continue;
    try {
      fromHex(value.trim(), flag);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if ((options.storeRoot === undefined) !== (options.storeSize === undefined)) {
    throw new UsageError(
      '--store-root and --store-size go together: a store head is {tree_size, root}',
      'give both, as `origin status` prints them',
    );
  }
  if (
    options.storeSize !== undefined &&
    (!Number.isSafeInteger(options.storeSize) || options.storeSize < 0)
  ) {
    throw new UsageError(`--store-size must be a whole number ≥ 0, got ${options.storeSize}`);
  }
  const ctx = VerifyContext.load(store, options);
  const results: CheckResult[] = [];
  for (const check of VERIFY_CHECKS) {
    if (check.applies && !check.applies(ctx)) continue;
    ctx.begin(check.name);
    await check.run(ctx);
    const failures = ctx.failuresOf(check.name);
    results.push({
      name: check.name,
      description: check.description,
      ok: failures === 0,
      failures,
    });
  }
  return ctx.report(results);
}
