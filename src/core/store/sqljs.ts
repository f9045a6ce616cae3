import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import initSqlJs, { SqlJsStatic } from 'sql.js';

let loaded: Promise<SqlJsStatic> | undefined;

/** The WebAssembly JS API as far as used here (the TypeScript libraries in use declare only types). */
const wasm = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: ArrayBuffer | Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
      Memory: abstract new () => { buffer: ArrayBuffer };
    };
  }
).WebAssembly;

/** sql.js's WebAssembly memory (SQLite's heap), once it is instantiated. */
let heap: { buffer: ArrayBuffer } | undefined;
/** sql.js itself, once it has loaded. */
let sqlJs: SqlJsStatic | undefined;

/** The sql.js wasm: a single-file executable carries it as an asset, otherwise it sits in node_modules. */
function wasmBinary(): ArrayBuffer | Buffer {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sea = require('node:sea') as { isSea(): boolean; getAsset(key: string): ArrayBuffer };
    if (sea.isSea()) return sea.getAsset('sql-wasm.wasm');
  } catch {
    // node:sea does not exist on this Node version: not a single-file executable.
  }
  try {
    // Where npm puts it for this package (dist/ → ../node_modules), read without asking the module
    // resolver, whose package.json lookups cost ~3 ms; anywhere else (a hoisted install), resolved.
    return readFileSync(join(__dirname, '..', 'node_modules', 'sql.js', 'dist', 'sql-wasm.wasm'));
  } catch {
    return readFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'));
  }
}

/**
 * Keeps sql.js's WebAssembly on V8's baseline compiler: otherwise V8 recompiles its hot functions
 * with its optimising tier on background threads, which competes with the command for the CPU and
 * holds up exit (~100 ms on a 2-core machine), more than the faster code gives back in a CLI run.
 *
 * Set here, when sql.js is first needed, and not at start-up: with any V8 flag changed, V8 refuses
 * the code cache Node keeps for its own modules, so every built-in module loaded afterwards is
 * compiled again (~15 ms for the ones oclif loads) and a worker thread boots in ~65 ms instead of
 * ~35. The run that writes the bundle's code cache (scripts/bundle.js) leaves it unset: V8 checks
 * the flags a cache was made under against those the bundle is compiled under, which are the
 * defaults.
 */
function keepWasmOnBaselineCompiler(): void {
  if (process.env.ORIGIN_WRITE_CODE_CACHE !== '1') setFlagsFromString('--liftoff-only');
}

/** Threads that are still loading Node's built-in modules: the flag waits for them. */
const booting: Promise<unknown>[] = [];
/** The longest it waits: a thread that never reports holds sql.js up no longer than this. */
const BOOT_WAIT_MS = 250;

/**
 * Has loadSqlJs wait for `booted` before it sets its V8 flag. A worker thread still booting when
 * the flag changes loses the code cache for the rest of its boot: ingest's parser thread, which
 * bin/run.js starts first thing, then took 80-90 ms instead of ~50 to run its first line, and
 * twice as long to load node:crypto. That happened in about one ingest in three.
 */
export function holdFlagsUntil(booted: Promise<unknown>): void {
  booting.push(booted);
}

function threadsBooted(): Promise<unknown> {
  if (booting.length === 0) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise((resolve) => (timer = setTimeout(resolve, BOOT_WAIT_MS)));
  return Promise.race([Promise.all(booting.splice(0)), waited]).finally(() => clearTimeout(timer));
}

/**
 * Loads sql.js once per process. Its WebAssembly is compiled and instantiated on this thread, at
 * once: with lazy compilation that is ~10 ms of work, which sql.js's own asynchronous path hands
 * to V8's background threads, where during ingest it waits behind the parser thread (30-90 ms).
 */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loaded ??= threadsBooted()
    .then(() => {
      keepWasmOnBaselineCompiler();
      // Compiled here, not inside the hook: an error thrown there escapes sql.js's promise.
      const module = new wasm.Module(wasmBinary());
      return initSqlJs({
        instantiateWasm(imports, receive) {
          const instance = new wasm.Instance(module, imports);
          heap = Object.values(instance.exports).find((value) => value instanceof wasm.Memory) as
            { buffer: ArrayBuffer } | undefined;
          receive(instance as Parameters<typeof receive>[0]);
          return {};
        },
      });
    })
    .then((SQL) => (sqlJs = SQL));
  return loaded;
}

/**
 * The handful of SQLite's C functions that sql.js's module exports (as Emscripten `_name`s), and
 * its heap, for work where sql.js's own binding costs more than SQLite does (sample-inserter.ts).
 * Undefined before sql.js has loaded, or if this sql.js build does not export them all.
 */
export function sqliteCApi(): SqliteCApi | undefined {
  const SQL = sqlJs as unknown as Record<string, unknown> | undefined;
  if (!SQL || !heap) return undefined;
  const api: Record<string, unknown> = { heap };
  for (const name of C_API_FUNCTIONS) {
    if (typeof SQL[name] !== 'function') return undefined;
    api[name] = SQL[name];
  }
  return api as unknown as SqliteCApi;
}

const C_API_FUNCTIONS = [
  '_malloc',
  '_free',
  '_sqlite3_prepare_v2',
  '_sqlite3_bind_blob',
  '_sqlite3_bind_int',
  '_sqlite3_bind_double',
  '_sqlite3_step',
  '_sqlite3_reset',
  '_sqlite3_changes',
  '_sqlite3_finalize',
  '_sqlite3_errmsg',
  'UTF8ToString',
] as const;

/** Pointers are byte offsets into `heap`; functions return SQLite result codes where C does. */
export interface SqliteCApi {
  heap: { buffer: ArrayBuffer };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _sqlite3_prepare_v2(
    db: number,
    sql: number,
    bytes: number,
    statementOut: number,
    tail: number,
  ): number;
  _sqlite3_bind_blob(
    statement: number,
    index: number,
    bytes: number,
    length: number,
    destructor: number,
  ): number;
  _sqlite3_bind_int(statement: number, index: number, value: number): number;
  _sqlite3_bind_double(statement: number, index: number, value: number): number;
  _sqlite3_step(statement: number): number;
  _sqlite3_reset(statement: number): number;
  _sqlite3_changes(db: number): number;
  _sqlite3_finalize(statement: number): number;
  _sqlite3_errmsg(db: number): number;
  UTF8ToString(pointer: number): string;
}
