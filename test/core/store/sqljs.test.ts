import * as sqljs from '../../../src/core/store/sqljs';

/** A fresh copy of sqljs.ts (its module state: sql.js loaded or not, threads held for). */
function freshSqlJs(): typeof sqljs {
  let fresh: typeof sqljs | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    fresh = require('../../../src/core/store/sqljs') as typeof sqljs;
  });
  return fresh as typeof sqljs;
}

describe('loading sql.js after the threads have booted', () => {
  it('waits for a held thread before it loads', async () => {
    const { holdFlagsUntil, loadSqlJs, sqliteCApi } = freshSqlJs();
    let boot = (): void => undefined;
    holdFlagsUntil(new Promise<void>((resolve) => (boot = resolve)));
    let done = false;
    const loading = loadSqlJs().then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(done).toBe(false);
    expect(sqliteCApi()).toBeUndefined();
    boot();
    await loading;
    expect(sqliteCApi()).toBeDefined();
  });

  it('waits no longer than a quarter second for a thread that never reports', async () => {
    const { holdFlagsUntil, loadSqlJs } = freshSqlJs();
    holdFlagsUntil(new Promise<void>(() => undefined));
    const started = Date.now();
    await loadSqlJs();
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('loads at once when nothing is held', async () => {
    const { loadSqlJs, sqliteCApi } = freshSqlJs();
    await loadSqlJs();
    expect(sqliteCApi()).toBeDefined();
  });
});

describe("ingest's prestarted parser threads", () => {
  it('hold the flag until each has loaded its modules', async () => {
    type ParsePoolModule = typeof import('../../../src/core/ingest/parse-pool');
    type PrestartModule = typeof import('../../../src/core/ingest/prestart');
    let fresh: { sqljs: typeof sqljs; pool: ParsePoolModule; prestart: PrestartModule } | undefined;
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      fresh = {
        sqljs: require('../../../src/core/store/sqljs') as typeof sqljs,
        pool: require('../../../src/core/ingest/parse-pool') as ParsePoolModule,
        prestart: require('../../../src/core/ingest/prestart') as PrestartModule,
      };
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    const { sqljs: isolated, pool, prestart } = fresh as NonNullable<typeof fresh>;
    const held = jest.spyOn(isolated, 'holdFlagsUntil');
    // Arguments too unusual to read ahead from: the threads only boot.
    prestart.prestartIngest(['-']);
    expect(held).toHaveBeenCalled();
    const parsers = new pool.ParsePool(
      { format: 'text', maxLineBytes: 100, skipInvalid: false },
      () => undefined,
      (err) => {
        throw err;
      },
    );
    try {
      // Far sooner than loadSqlJs's quarter-second cap: they report, they do not time out.
      const started = Date.now();
      await Promise.all(held.mock.calls.map(([booted]) => booted));
      expect(Date.now() - started).toBeLessThan(5000);
      await isolated.loadSqlJs();
      expect(isolated.sqliteCApi()).toBeDefined();
    } finally {
      await parsers.close();
    }
  });
});
