import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HASH_BYTES } from '../../../src/core/merkle/fingerprint';
import {
  SAMPLE_ROWS,
  SampleInserter,
  sampleInserter,
} from '../../../src/core/ingest/sample-inserter';
import { sqliteCApi } from '../../../src/core/store/sqljs';
import { Store } from '../../../src/core/store/store';
import { tempDir } from '../../helpers/cli';

/** `count` distinct fingerprints in ascending order, back to back. */
function sortedKeys(count: number, salt: string): Buffer[] {
  const keys: Buffer[] = [];
  for (let i = 0; i < count; i++) keys.push(createHash('sha256').update(`${salt}${i}`).digest());
  return keys.sort(Buffer.compare);
}

/** Inserts `keys` with `sizes` in statements of up to SAMPLE_ROWS; returns how many were new. */
function insertAll(inserter: SampleInserter, keys: Buffer[], sizes: number[]): number {
  let added = 0;
  try {
    for (let at = 0; at < keys.length; at += SAMPLE_ROWS) {
      const rows = Math.min(SAMPLE_ROWS, keys.length - at);
      const block = Buffer.concat(keys.slice(at, at + rows));
      added += inserter.insert(block, sizes.slice(at, at + rows), rows);
    }
  } finally {
    inserter.close();
  }
  return added;
}

function rows(store: Store): { fingerprint: string; size: number; type: string }[] {
  return store
    .all<{ fingerprint: Uint8Array; size: number; type: string }>(
      'SELECT fingerprint, size, typeof(size) AS type FROM samples ORDER BY fingerprint',
    )
    .map((r) => ({
      fingerprint: Buffer.from(r.fingerprint).toString('hex'),
      size: r.size,
      type: r.type,
    }));
}

describe('sampleInserter', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir('origin-samples-')));
  afterEach(() => cleanup());

  it('goes through the C API with the sql.js this package installs', async () => {
    const store = await Store.open(join(dir, 'o.db'), { mode: 'create' });
    try {
      expect(sqliteCApi()).toBeDefined();
      const inserter = sampleInserter(store.db);
      inserter.close();
      expect(inserter.kind).toBe('c-api');
    } finally {
      await store.abandon();
    }
  });

  it.each(['c-api', 'sql.js'] as const)(
    '%s: inserts rows, keeps the ones the table had, and counts only the new ones',
    async (kind) => {
      const store = await Store.open(join(dir, `${kind}.db`), { mode: 'create' });
      const open = () => sampleInserter(store.db, kind === 'c-api' ? sqliteCApi() : null);
      try {
        // More than one full statement and a short last one; sizes past 32 bits as well.
        const first = sortedKeys(SAMPLE_ROWS + 37, 'a');
        const sizes = first.map((_, i) => (i % 3 === 0 ? 2 ** 33 + i : i));
        const inserter = open();
        expect(inserter.kind).toBe(kind);
        expect(insertAll(inserter, first, sizes)).toBe(first.length);

        // Half already known (with other sizes, which must not overwrite), half new.
        const known = first.filter((_, i) => i % 2 === 0);
        const fresh = sortedKeys(200, 'b');
        const second = [...known, ...fresh].sort(Buffer.compare);
        expect(
          insertAll(
            open(),
            second,
            second.map(() => 7),
          ),
        ).toBe(fresh.length);

        const expected = [
          ...first.map((k, i) => ({
            fingerprint: k.toString('hex'),
            size: sizes[i],
            type: 'integer',
          })),
          ...fresh.map((k) => ({ fingerprint: k.toString('hex'), size: 7, type: 'integer' })),
        ].sort((x, y) => x.fingerprint.localeCompare(y.fingerprint));
        expect(rows(store)).toEqual(expected);
      } finally {
        await store.abandon();
      }
    },
  );

  it.each(['c-api', 'sql.js'] as const)(
    '%s: reports what SQLite refused, and can be closed afterwards',
    async (kind) => {
      const store = await Store.open(join(dir, `${kind}.db`), { mode: 'create' });
      try {
        store.db.exec('DROP TABLE samples');
        const inserter = sampleInserter(store.db, kind === 'c-api' ? sqliteCApi() : null);
        const key = Buffer.alloc(HASH_BYTES, 1);
        expect(() => inserter.insert(key, [1], 1)).toThrow(/no such table: samples/);
        inserter.close();
      } finally {
        await store.abandon();
      }
    },
  );
});
