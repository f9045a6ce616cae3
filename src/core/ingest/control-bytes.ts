/**
 * Whether a segment of input holds a control byte (below 0x20) other than the line feeds: JSON
 * strings may not contain one raw, so a segment without any lets the parser take its fast path.
 *
 * A regular expression over the segment as a latin1 string did this at ~1 ns a byte, a sixth of
 * what parsing costs; a 16-lanes-at-a-time WebAssembly loop does it at a tenth of that. The module
 * is a few dozen bytes, assembled below; its text form:
 *
 *   (module
 *     (memory (export "memory") 17)
 *     (func (export "scan") (param $len i32) (result i32)   ;; $len: a multiple of 64
 *       (local $i i32) (local $below v128) (local $lf v128) (local $v v128)
 *       (local.set $below (i8x16.splat (i32.const 0x20)))
 *       (local.set $lf (i8x16.splat (i32.const 0x0a)))
 *       (block (loop
 *         (br_if 1 (i32.ge_u (local.get $i) (local.get $len)))
 *         ;; for the 4 vectors at $i, $i+16, $i+32, $i+48, or-ed together:
 *         ;;   (v128.andnot (i8x16.lt_u $v $below) (i8x16.eq $v $lf))
 *         (if (v128.any_true …) (then (return (i32.const 1))))
 *         (local.set $i (i32.add (local.get $i) (i32.const 64)))
 *         (br 0)))
 *       (i32.const 0)))
 *
 * Self-contained (no imports, nothing from outside its body): parser workers run its source text.
 */
/** The part of the WebAssembly JS API used here (the project's TypeScript libraries lack it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
};

export function createControlByteScanner(): (data: Uint8Array) => boolean {
  const fallback = (data: Uint8Array): boolean =>
    // eslint-disable-next-line no-control-regex -- finding control bytes is the point
    /[\x00-\x09\x0b-\x1f]/.test(
      Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1'),
    );
  const leb = (value: number): number[] => {
    const out: number[] = [];
    let n = value;
    do {
      const low = n & 0x7f;
      n >>>= 7;
      out.push(n === 0 ? low : low | 0x80);
    } while (n !== 0);
    return out;
  };
  const section = (id: number, bytes: number[]): number[] => [id, ...leb(bytes.length), ...bytes];
  const name = (text: string): number[] => [
    text.length,
    ...Array.from(text, (c) => c.charCodeAt(0)),
  ];
  // One vector: load at $i + offset, tee $v, (lt_u $v $below), (eq $v $lf), andnot.
  // prettier-ignore
  const vector = (offset: number): number[] => [
    0x20, 0x01, 0xfd, 0x00, 0x00, offset, 0x22, 0x04,
    0x20, 0x02, 0xfd, 0x26, 0x20, 0x04, 0x20, 0x03, 0xfd, 0x23, 0xfd, 0x4f,
  ];
  const or = [0xfd, 0x50];
  // prettier-ignore
  const body = [
    0x02, 0x01, 0x7f, 0x03, 0x7b, // locals: 1 × i32, 3 × v128
    0x41, 0x20, 0xfd, 0x0f, 0x21, 0x02, // $below
    0x41, 0x0a, 0xfd, 0x0f, 0x21, 0x03, // $lf
    0x02, 0x40, 0x03, 0x40, // block, loop
    0x20, 0x01, 0x20, 0x00, 0x4f, 0x0d, 0x01, // br_if 1 ($i >= $len)
    ...vector(0), ...vector(16), ...or, ...vector(32), ...or, ...vector(48), ...or,
    0xfd, 0x53, 0x04, 0x40, 0x41, 0x01, 0x0f, 0x0b, // any_true → return 1
    0x20, 0x01, 0x41, 0xc0, 0x00, 0x6a, 0x21, 0x01, // $i += 64
    0x0c, 0x00, 0x0b, 0x0b, // br 0, end loop, end block
    0x41, 0x00, 0x0b, // 0
  ];
  // prettier-ignore
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]), // type: (i32) → i32
    ...section(3, [0x01, 0x00]), // one function of that type
    ...section(5, [0x01, 0x00, 0x11]), // memory: 17 pages, growable
    ...section(7, [0x02, ...name('scan'), 0x00, 0x00, ...name('memory'), 0x02, 0x00]),
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
  let exports: {
    memory: { buffer: ArrayBuffer; grow(pages: number): number };
    scan: (length: number) => number;
  };
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    exports = instance.exports as typeof exports;
  } catch {
    return fallback; // no WebAssembly SIMD on this runtime
  }
  const { memory, scan } = exports;
  return (data: Uint8Array): boolean => {
    // Padded with spaces to whole rounds of 64 bytes.
    const length = (data.length + 63) & ~63;
    const have = memory.buffer.byteLength;
    if (have < length) memory.grow(Math.ceil((length - have) / 65536));
    const view = new Uint8Array(memory.buffer, 0, length);
    view.set(data);
    view.fill(0x20, data.length, length);
    return scan(length) === 1;
  };
}
