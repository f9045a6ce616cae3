/**
 * Turns a segment of whole input lines into packed sample observations: fingerprints, their
 * RFC 6962 leaf hashes, sizes and per-record (source, license) label ids. SPEC.md §1 decides the
 * content bytes. The same parser runs on ingest's worker threads and on the main thread.
 */
import { isUtf8 } from 'node:buffer';
import { HASH_BYTES, leafHashInto, sha256Into } from '../merkle/hash';
import { canonicalJson } from '../samples/fingerprint';
import { iJsonViolation } from '../samples/i-json';
import { FieldPath, lookup, parseFieldPath } from './field-path';
export type InputFormat = 'jsonl' | 'text';

/** What a record is: its format, and the fields that hold its content, source and license. */
export interface RecordOptions {
  format: InputFormat;
  /**
   * Fields (JSON Pointers or dotted paths) whose values are the content: one field's value, or
   * with several the JCS of an object of exactly those fields; the whole record when none.
   */
  contentFields?: readonly string[];
  /** A field holding a precomputed fingerprint (64 hex) used instead of hashing any content. */
  fingerprintField?: string;
  sourceField?: string;
  licenseField?: string;
}

export interface ParseOptions extends RecordOptions {
  maxLineBytes: number;
  /** Keep going after an invalid line (--skip-invalid); otherwise stop at the first one. */
  skipInvalid: boolean;
}

export interface SegmentJob {
  seq: number;
  /** Whole lines; each ends with "\n" except, when !terminated, the last one (end of input). */
  data: Uint8Array;
  terminated: boolean;
  /** The segment starts with the first line of an input (a UTF-8 BOM is dropped there). */
  firstLineOfInput: boolean;
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
  /** count × 32 bytes of their RFC 6962 leaf hashes, SHA-256(0x00 ‖ fingerprint). */
  leaves: Uint8Array;
  /** Content bytes of each record. */
  sizes: Float64Array;
  /** Label id of each record, in this parser's own numbering (see newLabels). */
  labels: Uint32Array;
  /** [source, license] of the label ids this segment used first, in id order (null: no field value). */
  newLabels: (string | null)[];
  failures: SegmentFailure[];
}

/** A record that is bad input: why. */
export class InvalidLine {
  constructor(readonly reason: string) {}
}

const BOM = 0xfeff;
const HEX64 = /^[0-9a-fA-F]{64}$/;

/** A source or license field's value as a label: absent, null and "" are none. */
function labelFrom(value: unknown, path: FieldPath, what: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new InvalidLine(`${what} field "${path.name}" is not a string`);
}

/** Parses the field paths of RecordOptions (UsageError when one is malformed). */
export function recordFields(options: RecordOptions): {
  content: FieldPath[];
  fingerprint?: FieldPath;
  source?: FieldPath;
  license?: FieldPath;
} {
  const optional = (name: string | undefined, flag: string): FieldPath | undefined =>
    name === undefined ? undefined : parseFieldPath(name, flag);
  return {
    content: (options.contentFields ?? []).map((f) => parseFieldPath(f, '--content-field')),
    fingerprint: optional(options.fingerprintField, '--fingerprint-field'),
    source: optional(options.sourceField, '--source-field'),
    license: optional(options.licenseField, '--license-field'),
  };
}

/** A record's content (to hash), or its precomputed fingerprint, and its labels. */
export interface ParsedRecord {
  content: string;
  /** Precomputed: 64 hex characters, then content is "". */
  fingerprint?: string;
  source: string | null;
  license: string | null;
}

/**
 * Picks what SPEC §1 fingerprints out of a decoded record (a JSON value, a CSV row's object), and
 * its source and license; throws InvalidLine when the record lacks what the options ask for.
 */
export class RecordSelector {
  private readonly contentPaths: FieldPath[];
  private readonly fingerprintPath?: FieldPath;
  private readonly sourcePath?: FieldPath;
  private readonly licensePath?: FieldPath;

  constructor(options: RecordOptions) {
    const fields = recordFields(options);
    this.contentPaths = fields.content;
    this.fingerprintPath = fields.fingerprint;
    this.sourcePath = fields.source;
    this.licensePath = fields.license;
  }

  select(record: unknown): ParsedRecord {
    const source = this.sourcePath
      ? labelFrom(lookup(record, this.sourcePath), this.sourcePath, 'source')
      : null;
    const license = this.licensePath
      ? labelFrom(lookup(record, this.licensePath), this.licensePath, 'license')
      : null;
    if (this.fingerprintPath) {
      const value = lookup(record, this.fingerprintPath);
      if (typeof value !== 'string' || !HEX64.test(value)) {
        throw new InvalidLine(
          value === undefined
            ? `no fingerprint field "${this.fingerprintPath.name}" in this record`
            : `fingerprint field "${this.fingerprintPath.name}" is not 64 hex characters`,
        );
      }
      return { content: '', fingerprint: value, source, license };
    }
    return { content: this.contentOf(record), source, license };
  }

  /** SPEC §1 content: the whole record, one field's value, or several fields as one object. */
  private contentOf(record: unknown): string {
    const paths = this.contentPaths;
    if (paths.length === 0) return canonicalJson(record);
    const valueOf = (path: FieldPath): unknown => {
      const value = lookup(record, path);
      if (value === undefined) {
        throw new InvalidLine(`no content field "${path.name}" in this record`);
      }
      return value;
    };
    if (paths.length === 1) {
      const value = valueOf(paths[0]);
      return typeof value === 'string' ? value : canonicalJson(value);
    }
    // No prototype: a field named "__proto__" is a key like any other.
    const selected = Object.create(null) as Record<string, unknown>;
    for (const path of paths) selected[path.name] = valueOf(path);
    return canonicalJson(selected);
  }
}

export class SegmentParser {
  private readonly text: boolean;
  private readonly selector: RecordSelector;
  /** Label ids: (source, license) pairs, numbered in order of first use over the parser's life. */
  private readonly labelIds = new Map<string | null, Map<string | null, number>>();
  private labelCount = 0;

  constructor(private readonly options: ParseOptions) {
    this.text = options.format === 'text';
    this.selector = new RecordSelector(options);
  }

  parse(job: SegmentJob): SegmentResult {
    const { maxLineBytes, skipInvalid } = this.options;
    const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
    const end = data.length;
    // Whole lines of valid UTF-8 are valid UTF-8 each ("\n" is never inside a character).
    const allUtf8 = isUtf8(data);
    // At most one record per line: count the line feeds to size the outputs.
    let maxLines = job.terminated ? 0 : 1;
    for (let at = data.indexOf(10); at !== -1; at = data.indexOf(10, at + 1)) maxLines++;
    // Own (unpooled) memory: the arrays are transferred back from a worker.
    const fingerprints = Buffer.allocUnsafeSlow(maxLines * HASH_BYTES);
    const leaves = Buffer.allocUnsafeSlow(maxLines * HASH_BYTES);
    const sizes = new Float64Array(maxLines);
    const labels = new Uint32Array(maxLines);
    const newLabels: (string | null)[] = [];
    const failures: SegmentFailure[] = [];
    let count = 0;
    let lines = 0;
    let first = job.firstLineOfInput;

    for (let start = 0; start < end;) {
      const nl = data.indexOf(10, start);
      const lineEnd = nl === -1 ? end : nl;
      const lineStart = start;
      start = nl === -1 ? end : nl + 1;
      lines++;
      const firstLine = first;
      first = false;
      let length = lineEnd - lineStart;
      if (length > maxLineBytes) {
        failures.push({
          line: lines,
          reason: `line is ${length} bytes, over --max-line-bytes ${maxLineBytes}`,
        });
        if (!skipInvalid) break;
        continue;
      }
      if (nl !== -1 && length > 0 && data[lineEnd - 1] === 13) length--;
      const line = data.subarray(lineStart, lineStart + length);

      let content: Uint8Array | string;
      let precomputed: string | undefined;
      let label: number;
      if (this.text) {
        if (!allUtf8 && !isUtf8(line)) {
          failures.push({ line: lines, reason: 'line is not valid UTF-8' });
          if (!skipInvalid) break;
          continue;
        }
        content = line;
        label = this.labelOf(null, null, newLabels);
      } else {
        try {
          const parsed = this.parseRecord(line, firstLine, allUtf8);
          if (parsed === undefined) continue;
          content = parsed.content;
          precomputed = parsed.fingerprint;
          label = this.labelOf(parsed.source, parsed.license, newLabels);
        } catch (err) {
          if (!(err instanceof InvalidLine)) throw err;
          failures.push({ line: lines, reason: err.reason });
          if (!skipInvalid) break;
          continue;
        }
      }
      const at = count * HASH_BYTES;
      if (precomputed === undefined) sha256Into(content, fingerprints, at);
      else fingerprints.write(precomputed, at, HASH_BYTES, 'hex');
      leafHashInto(fingerprints.subarray(at, at + HASH_BYTES), leaves, at);
      sizes[count] =
        typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.length;
      labels[count] = label;
      count++;
    }

    return {
      seq: job.seq,
      data: job.data,
      lines,
      bytes: end,
      count,
      fingerprints: fingerprints.subarray(0, count * HASH_BYTES),
      leaves: leaves.subarray(0, count * HASH_BYTES),
      sizes: sizes.subarray(0, count),
      labels: labels.subarray(0, count),
      newLabels,
      failures,
    };
  }

  /** One JSONL line: its content and labels, or undefined for a blank line. */
  private parseRecord(
    line: Buffer,
    firstLine: boolean,
    allUtf8: boolean,
  ): ParsedRecord | undefined {
    if (!allUtf8 && !isUtf8(line)) throw new InvalidLine('line is not valid UTF-8');
    let json = line.toString('utf8');
    if (firstLine && json.charCodeAt(0) === BOM) json = json.slice(1);
    if (json.trim() === '') return undefined;
    let record: unknown;
    try {
      record = JSON.parse(json);
    } catch (err) {
      throw new InvalidLine(`invalid JSON: ${(err as Error).message}`);
    }
    const violation = iJsonViolation(record, json);
    if (violation !== undefined) throw new InvalidLine(violation);
    return this.selector.select(record);
  }

  private labelOf(source: string | null, license: string | null, added: (string | null)[]): number {
    let byLicense = this.labelIds.get(source);
    if (byLicense === undefined) {
      byLicense = new Map();
      this.labelIds.set(source, byLicense);
    }
    let label = byLicense.get(license);
    if (label === undefined) {
      label = this.labelCount++;
      byLicense.set(license, label);
      added.push(source, license);
    }
    return label;
  }
}
