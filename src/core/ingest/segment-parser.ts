/**
 * Turns a segment of whole input lines into packed sample observations: fingerprints, sizes and
 * per-record (source, license) label ids. SPEC.md §1 decides the content bytes.
 *
 * `createSegmentParser` is deliberately self-contained — it uses nothing from outside its own body
 * but its two arguments and JavaScript/Node globals — because ingest workers are started from its
 * source text (`Function.prototype.toString`): that works from dist/ and inside the single-file
 * executable alike, where there is no worker script file to load. So: no imports, no module-level
 * helpers or constants inside it; anything it needs comes in through `deps`.
 */
import type { JsonFieldScanner } from './json-fields';
import type { InputFormat } from './record';

export interface SegmentParserOptions {
  format: InputFormat;
  contentField?: string;
  sourceField?: string;
  licenseField?: string;
  maxLineBytes: number;
  /** Keep going after an invalid line (--skip-invalid); otherwise stop at the first one. */
  skipInvalid: boolean;
}

/** What the parser needs from its host (the main thread or a worker). */
export interface SegmentParserDeps {
  /** SHA-256 of bytes or of a string's UTF-8 bytes, as 32 latin1 characters (fingerprint.ts). */
  sha256Binary: (data: Uint8Array | string) => string;
  isUtf8: (data: Uint8Array) => boolean;
  /** Whether data holds a byte below 0x20 other than "\n" (control-bytes.ts). */
  hasControlBytes: (data: Uint8Array) => boolean;
  /** RFC 8785 (the `canonicalize` package). */
  canonicalize: (value: unknown) => string | undefined;
  /** json-fields.ts, for the fast path over top-level fields. */
  createJsonFieldScanner: (keys: readonly string[]) => JsonFieldScanner;
}

export interface SegmentJob {
  seq: number;
  /** Whole lines; each ends with "\n" except, when !terminated, the last one (end of input). */
  data: Uint8Array;
  terminated: boolean;
  /** The segment starts with the first line of an input (a UTF-8 BOM is dropped there). */
  firstLineOfInput: boolean;
  /** Also compute the records' leaf hashes (otherwise the recorder does). */
  leaves?: boolean;
}

export interface SegmentFailure {
  /** 1-based line number within the segment. */
  line: number;
  reason: string;
}

export interface SegmentResult {
  seq: number;
  /** The job's data, handed back so its memory can be reused. */
  data: Uint8Array;
  /** Lines consumed (records, blank and invalid lines), so the caller can keep line numbers. */
  lines: number;
  /** Bytes of input the segment held. */
  bytes: number;
  /** Records. */
  count: number;
  /** count × 32 bytes of SHA-256 fingerprints. */
  fingerprints: Uint8Array;
  /** With job.leaves, count × 32 bytes of their RFC 6962 leaf hashes, SHA-256(0x00 ‖ fingerprint). */
  leaves: Uint8Array;
  /** Content bytes of each record. */
  sizes: Float64Array;
  /** Label id of each record, in this parser's own numbering (see newLabels). */
  labels: Uint32Array;
  /** [source, license] of the label ids this segment used first, in id order (null: no field value). */
  newLabels: (string | null)[];
  failures: SegmentFailure[];
}

export interface SegmentParser {
  parse(job: SegmentJob): SegmentResult;
}

/** Self-contained: see the file comment. */
export function createSegmentParser(
  options: SegmentParserOptions,
  deps: SegmentParserDeps,
): SegmentParser {
  const HASH = 32;
  const BOM = 0xfeff;
  const text = options.format === 'text';
  const split = (field: string | undefined): string[] | undefined =>
    field === undefined ? undefined : field.split('.');
  const contentPath = split(options.contentField);
  const sourcePath = split(options.sourceField);
  const licensePath = split(options.licenseField);
  const maxLineBytes = options.maxLineBytes;
  // RFC 6962 leaf hash input, 0x00 ‖ fingerprint. node:crypto rather than the JavaScript SHA-256
  // of merkle-kernel.ts: that one is faster only once optimised, and a CLI run is over before.
  const leafInput = Buffer.alloc(1 + HASH);

  /**
   * Writes sha256Binary digests one after another into `out`, a run of 1024 at a time: what
   * DigestWriter in fingerprint.ts does, which this self-contained parser cannot import.
   */
  const digestWriter = (out: Buffer) => {
    let run = '';
    let held = 0;
    let at = 0;
    const flush = (): void => {
      out.write(run, at, 'latin1');
      at += held * HASH;
      run = '';
      held = 0;
    };
    return {
      add(digest: string): void {
        run += digest;
        if (++held === 1024) flush();
      },
      flush,
    };
  };
  const hasOwn = Object.prototype.hasOwnProperty;

  class InvalidLine {
    constructor(readonly reason: string) {}
  }

  const lookup = (record: unknown, path: string[]): unknown => {
    let value: unknown = record;
    for (let i = 0; i < path.length; i++) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
      if (!hasOwn.call(value, path[i])) return undefined;
      value = (value as Record<string, unknown>)[path[i]];
    }
    return value;
  };

  const canonicalJson = (value: unknown): string => {
    const out = deps.canonicalize(value);
    if (out === undefined) throw new TypeError('value has no JSON representation');
    return out;
  };

  /** A source or license field's value as a label: absent, null and "" are none. */
  const labelFrom = (value: unknown, path: string[], what: string): string | null => {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new InvalidLine(`${what} field "${path.join('.')}" is not a string`);
  };

  // Fast path: when every field asked for is a distinct top-level one, one pass over the line's
  // bytes checks it and finds them, and a plain string content is hashed straight from the input.
  // Lines it does not vouch for go through JSON.parse below, which also words every error.
  const fieldKeys = [contentPath, sourcePath, licensePath]
    .filter((path): path is string[] => path !== undefined)
    .map((path) => path[0]);
  const scanner =
    !text &&
    contentPath !== undefined &&
    [contentPath, sourcePath, licensePath].every(
      (path) => path === undefined || path.length === 1,
    ) &&
    new Set(fieldKeys).size === fieldKeys.length
      ? deps.createJsonFieldScanner(fieldKeys)
      : undefined;
  // Scanner slots: the content field first, then the source and license fields when given.
  const sourceSlot = 1;
  const licenseSlot = sourcePath ? 2 : 1;

  /** A field's value from the last scan, decoded (undefined when absent). */
  const scannedValue = (line: Buffer, slot: number): unknown => {
    const sc = scanner as JsonFieldScanner;
    const kind = sc.kinds[slot];
    if (kind === 0) return undefined;
    const json = line.toString('utf8', sc.starts[slot], sc.ends[slot]);
    return kind === 1 ? json : JSON.parse(json);
  };

  let newlines = new Int32Array(4096);

  // Label ids: (source, license) pairs, numbered in order of first use over the parser's life.
  const labelIds = new Map<string | null, Map<string | null, number>>();
  let labelCount = 0;
  const labelOf = (source: string | null, license: string | null, added: (string | null)[]) => {
    let byLicense = labelIds.get(source);
    if (byLicense === undefined) {
      byLicense = new Map();
      labelIds.set(source, byLicense);
    }
    let label = byLicense.get(license);
    if (label === undefined) {
      label = labelCount++;
      byLicense.set(license, label);
      added.push(source, license);
    }
    return label;
  };

  // The same ids by the raw bytes of scanned source and license fields that are absent or plain
  // strings: records repeat a few pairs, and hashing their bytes costs less than decoding two
  // strings per record. Bounded: with a new source on every record it would only grow. With one
  // of the two fields not asked for, its slot is the other's (see licenseSlot): never compare it.
  interface ByteLabel {
    kinds: number;
    source: Uint8Array;
    license: Uint8Array;
    label: number;
  }
  const MAX_BYTE_LABELS = 4096;
  const byteLabels = new Map<number, ByteLabel[]>();
  let byteLabelCount = 0;
  const fieldBytes = (line: Uint8Array, slot: number): Uint8Array => {
    const sc = scanner as JsonFieldScanner;
    return sc.kinds[slot] === 1
      ? line.subarray(sc.starts[slot], sc.ends[slot])
      : line.subarray(0, 0);
  };
  const sameBytes = (known: Uint8Array, line: Uint8Array, slot: number): boolean => {
    const sc = scanner as JsonFieldScanner;
    const from = sc.kinds[slot] === 1 ? sc.starts[slot] : 0;
    const length = sc.kinds[slot] === 1 ? sc.ends[slot] - from : 0;
    if (known.length !== length) return false;
    for (let i = 0; i < length; i++) if (known[i] !== line[from + i]) return false;
    return true;
  };
  /** `h` with a scanned field's kind and bytes mixed in, or -1 when it is not a plain string. */
  const mixField = (h: number, line: Uint8Array, slot: number): number => {
    const sc = scanner as JsonFieldScanner;
    const kind = sc.kinds[slot];
    if (kind > 1) return -1;
    let mixed = Math.imul(h ^ (kind + 0x100), 0x01000193);
    for (let i = sc.starts[slot], e = kind === 1 ? sc.ends[slot] : i; i < e; i++) {
      mixed = Math.imul(mixed ^ line[i], 0x01000193);
    }
    return mixed >>> 0;
  };
  /** FNV-1a of the scanned label fields' kinds and bytes, or -1 when one is not a plain string. */
  const labelBytesHash = (line: Uint8Array): number => {
    let h = 0x811c9dc5;
    if (sourcePath) h = mixField(h, line, sourceSlot);
    if (licensePath && h >= 0) h = mixField(h, line, licenseSlot);
    return h;
  };
  const labelKinds = (): number => {
    const sc = scanner as JsonFieldScanner;
    return (
      (sourcePath ? sc.kinds[sourceSlot] : 0) | ((licensePath ? sc.kinds[licenseSlot] : 0) << 2)
    );
  };

  return {
    parse(job: SegmentJob): SegmentResult {
      const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
      // Contents are cut from a plain view: Buffer's subarray is JavaScript, V8's is built in.
      const bytes = new Uint8Array(job.data.buffer, job.data.byteOffset, job.data.byteLength);
      const end = data.length;
      // Whole lines of valid UTF-8 are valid UTF-8 each ("\n" is never inside a character).
      const allUtf8 = !text && deps.isUtf8(data);
      // No byte below 0x20 but the line feeds: then a line without a backslash is "plain" for the
      // scanner (one pass over the segment costs less than checking string bytes).
      const noControls = scanner !== undefined && allUtf8 && !deps.hasControlBytes(data);
      // Where the lines end, found once; their number bounds the records.
      let newlineCount = 0;
      for (let at = data.indexOf(10); at !== -1; at = data.indexOf(10, at + 1)) {
        if (newlineCount === newlines.length) {
          const grown = new Int32Array(newlines.length * 2);
          grown.set(newlines);
          newlines = grown;
        }
        newlines[newlineCount++] = at;
      }
      const maxLines = newlineCount + (job.terminated ? 0 : 1);
      // The next backslash at or after the current line (-1: none left), for the plain check.
      let backslash = noControls ? data.indexOf(0x5c) : -1;
      const plainLine = (from: number, to: number): boolean => {
        if (backslash !== -1 && backslash < from) backslash = data.indexOf(0x5c, from);
        return backslash === -1 || backslash >= to;
      };
      // Own (unpooled) memory: the arrays are transferred back from a worker.
      const fingerprints = Buffer.allocUnsafeSlow(maxLines * HASH);
      const withLeaves = job.leaves === true;
      const leaves = Buffer.allocUnsafeSlow(withLeaves ? maxLines * HASH : 0);
      const fingerprintDigests = digestWriter(fingerprints);
      const sizes = new Float64Array(maxLines);
      const labels = new Uint32Array(maxLines);
      const newLabels: (string | null)[] = [];
      const failures: SegmentFailure[] = [];
      let count = 0;
      let lines = 0;
      let first = job.firstLineOfInput;
      let start = 0;
      let lineIndex = 0;

      while (start < end) {
        const nl = lineIndex < newlineCount ? newlines[lineIndex++] : -1;
        const lineEnd = nl === -1 ? end : nl;
        const next = nl === -1 ? end : nl + 1;
        lines++;
        const firstLine = first;
        first = false;
        let length = lineEnd - start;
        if (length > maxLineBytes) {
          failures.push({
            line: lines,
            reason: `line is ${length} bytes, over --max-line-bytes ${maxLineBytes}`,
          });
          if (!options.skipInvalid) break;
          start = next;
          continue;
        }
        if (nl !== -1 && length > 0 && data[lineEnd - 1] === 13) length--;
        // Scanner positions are offsets into the segment: a view per line is made only for
        // lines that need one.
        const lineStart = start;
        const lineStop = start + length;
        start = next;

        let content: Uint8Array | string;
        let source: string | null = null;
        let license: string | null = null;
        let label = -1;
        if (text) {
          content = bytes.subarray(lineStart, lineStop);
        } else {
          try {
            if (
              scanner &&
              allUtf8 &&
              !(firstLine && data[lineStart] === 0xef) &&
              scanner.scan(data, lineStart, lineStop, noControls && plainLine(lineStart, lineStop))
            ) {
              const cpath = contentPath as string[];
              if (scanner.kinds[0] === 0) {
                throw new InvalidLine(`no content field "${cpath.join('.')}" in this record`);
              }
              if (scanner.kinds[0] === 1) {
                content = bytes.subarray(scanner.starts[0], scanner.ends[0]);
              } else {
                const value = scannedValue(data, 0);
                content = typeof value === 'string' ? value : canonicalJson(value);
              }
              const hash = sourcePath || licensePath ? labelBytesHash(data) : -1;
              const bucket = hash < 0 ? undefined : byteLabels.get(hash);
              if (bucket) {
                const kinds = labelKinds();
                for (const known of bucket) {
                  if (
                    known.kinds === kinds &&
                    (!sourcePath || sameBytes(known.source, data, sourceSlot)) &&
                    (!licensePath || sameBytes(known.license, data, licenseSlot))
                  ) {
                    label = known.label;
                    break;
                  }
                }
              }
              if (label < 0) {
                if (sourcePath)
                  source = labelFrom(scannedValue(data, sourceSlot), sourcePath, 'source');
                if (licensePath) {
                  license = labelFrom(scannedValue(data, licenseSlot), licensePath, 'license');
                }
                if (hash >= 0 && byteLabelCount < MAX_BYTE_LABELS) {
                  const known: ByteLabel = {
                    kinds: labelKinds(),
                    source: sourcePath
                      ? Buffer.from(fieldBytes(data, sourceSlot))
                      : data.subarray(0, 0),
                    license: licensePath
                      ? Buffer.from(fieldBytes(data, licenseSlot))
                      : data.subarray(0, 0),
                    label: labelOf(source, license, newLabels),
                  };
                  label = known.label;
                  byteLabelCount++;
                  if (bucket) bucket.push(known);
                  else byteLabels.set(hash, [known]);
                }
              }
            } else {
              const line = data.subarray(lineStart, lineStop);
              if (!allUtf8 && !deps.isUtf8(line)) throw new InvalidLine('line is not valid UTF-8');
              let json = line.toString('utf8');
              if (firstLine && json.charCodeAt(0) === BOM) json = json.slice(1);
              if (json.trim() === '') continue;
              let record: unknown;
              try {
                record = JSON.parse(json);
              } catch (err) {
                throw new InvalidLine(`invalid JSON: ${(err as Error).message}`);
              }
              if (contentPath) {
                const value = lookup(record, contentPath);
                if (value === undefined) {
                  throw new InvalidLine(
                    `no content field "${contentPath.join('.')}" in this record`,
                  );
                }
                content = typeof value === 'string' ? value : canonicalJson(value);
              } else {
                content = canonicalJson(record);
              }
              if (sourcePath) source = labelFrom(lookup(record, sourcePath), sourcePath, 'source');
              if (licensePath) {
                license = labelFrom(lookup(record, licensePath), licensePath, 'license');
              }
            }
          } catch (err) {
            if (!(err instanceof InvalidLine)) throw err;
            failures.push({ line: lines, reason: err.reason });
            if (!options.skipInvalid) break;
            continue;
          }
        }

        fingerprintDigests.add(deps.sha256Binary(content));
        sizes[count] =
          typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.length;
        labels[count] = label >= 0 ? label : labelOf(source, license, newLabels);
        count++;
      }
      fingerprintDigests.flush();
      if (withLeaves) {
        const fingerprintBytes = new Uint8Array(fingerprints.buffer, 0, count * HASH);
        const leafDigests = digestWriter(leaves);
        for (let i = 0; i < count; i++) {
          leafInput.set(fingerprintBytes.subarray(i * HASH, (i + 1) * HASH), 1);
          leafDigests.add(deps.sha256Binary(leafInput));
        }
        leafDigests.flush();
      }

      return {
        seq: job.seq,
        data: job.data,
        lines,
        bytes: end,
        count,
        fingerprints: fingerprints.subarray(0, count * HASH),
        leaves: leaves.subarray(0, withLeaves ? count * HASH : 0),
        sizes: sizes.subarray(0, count),
        labels: labels.subarray(0, count),
        newLabels,
        failures,
      };
    },
  };
}
