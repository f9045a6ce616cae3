#!/usr/bin/env node
// Measures the embedded engine's ceiling: how large a sql.js database can grow and still be
// exported (saved), on this machine, with the sql.js Origin ships. It grows one database by
// 64 MiB transactions of random blobs and exports it every --step MiB until something fails.
// Usage: npm run ceiling [-- --step 256]   (needs about 3× the ceiling in free memory)
const initSqlJs = require('sql.js');

const i = process.argv.indexOf('--step');
const STEP_MIB = i > 0 ? Number(process.argv[i + 1]) : 256;
const BLOB = 1 << 20;
const mib = (n) => `${(n / 2 ** 20).toFixed(0)} MiB`;

async function main() {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.exec('PRAGMA journal_mode = MEMORY; CREATE TABLE t (b BLOB)');
  let lastSaved = 0;
  let rows = 0;
  for (;;) {
    // export() closes and reopens the database, freeing its statements: prepare anew each time.
    const insert = db.prepare('INSERT INTO t VALUES (randomblob(?))');
    try {
      for (let mb = 0; mb < STEP_MIB; mb += 64) {
        db.exec('BEGIN');
        for (let r = 0; r < 64; r++) insert.run([BLOB]);
        db.exec('COMMIT');
        rows += 64;
      }
    } catch (err) {
      console.log(`growing failed at ${mib(rows * BLOB)} of blobs: ${err.message}`);
      break;
    }
    const t = Date.now();
    try {
      const size = db.export().length;
      lastSaved = size;
      console.log(`exported ${mib(size)} in ${Date.now() - t} ms`);
    } catch (err) {
      console.log(`export failed at ${mib(rows * BLOB)} of blobs: ${err.message}`);
      break;
    }
  }
  console.log(`ceiling: the largest database exported was ${mib(lastSaved)} (${lastSaved} bytes)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
