import { VerifyCheck } from '../types';

export const sqliteIntegrity: VerifyCheck = {
  name: 'sqlite_integrity',
  description: 'SQLite PRAGMA integrity_check: pages, b-trees and indexes are sound',
  run(ctx) {
    const rows = ctx.store.all<{ integrity_check: string }>('PRAGMA integrity_check');
    for (const r of rows) {
      if (r.integrity_check !== 'ok') ctx.fail({ message: `SQLite: ${r.integrity_check}` });
    }
  },
};
