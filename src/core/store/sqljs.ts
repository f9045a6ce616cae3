import { readFileSync } from 'node:fs';
import initSqlJs, { SqlJsStatic } from 'sql.js';

let loaded: Promise<SqlJsStatic> | undefined;

/** The sql.js wasm: a single-file executable carries it as an asset, otherwise it sits in node_modules. */
function wasmBinary(): ArrayBuffer {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sea = require('node:sea') as { isSea(): boolean; getAsset(key: string): ArrayBuffer };
    if (sea.isSea()) return sea.getAsset('sql-wasm.wasm');
  } catch {
    // node:sea does not exist on this Node version: not a single-file executable.
  }
  const file = readFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'));
  return file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
}

/** Loads sql.js once per process, through its documented `initSqlJs({ wasmBinary })`. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loaded ??= Promise.resolve().then(() => initSqlJs({ wasmBinary: wasmBinary() }));
  return loaded;
}
