/**
 * Turns a segment of whole input lines into packed sample observations: fingerprints, their
 * RFC 6962 leaf hashes, sizes and per-record (source, license) label ids. SPEC.md §1 decides the
 * content bytes. The same parser runs on ingest's worker threads and on the main thread.
 */
import { isUtf8 } from 'node:buffer';
import { HASH_BYTES, leafHashInto, sha256Into } from '../merkle/hash';
import { canonicalJson } from '../samples/fingerprint';
import { iJsonViolation } from '../samples/i-json';
export type InputFormat = 'jsonl' | 'text';

/** What a record is: its format, and the fields that hold its content, source and license. */
export interface RecordOptions {
  format: InputFormat;
  /** Dotted path of the field whose value is the content; the whole record when absent. */
  contentField?: string;
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

class InvalidLine {
  constructor(readonly reason: string) {}
}

const BOM = 0xfeff;
const hasOwn = Object.prototype.hasOwnProperty;

/** The value at a dotted path of own object properties (arrays are not indexed), or undefined. */
function lookup(record: unknown, path: readonly string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!hasOwn.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A source or license field's value as a label: absent, null and "" are none. */
function labelFrom(value: unknown, path: readonly string[], what: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new InvalidLine(`${what} field "${path.join('.')}" is not a string`);
}

export class SegmentParser {
  private readonly text: boolean;
  private readonly contentPath?: string[];
  private readonly sourcePath?: string[];
  private readonly licensePath?: string[];
  /** Label ids: (source, license) pairs, numbered in order of first use over the parser's life. */
  private readonly labelIds = new Map<string | null, Map<string | null, number>>();
  private labelCount = 0;

  constructor(private readonly options: ParseOptions) {
    this.text = options.format === 'text';
    this.contentPath = options.contentField?.split('.');
    this.sourcePath = options.sourceField?.split('.');
    this.licensePath = options.licenseField?.split('.');
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
          label = this.labelOf(parsed.source, parsed.license, newLabels);
        } catch (err) {
          if (!(err instanceof InvalidLine)) throw err;
          failures.push({ line: lines, reason: err.reason });
          if (!skipInvalid) break;
          continue;
        }
      }
      const at = count * HASH_BYTES;
      sha256Into(content, fingerprints, at);
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
  ): { content: string; source: string | null; license: string | null } | undefined {
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
    let content: string;
    if (this.contentPath) {
      const value = lookup(record, this.contentPath);
      if (value === undefined) {
        throw new InvalidLine(`no content field "${this.contentPath.join('.')}" in this record`);
      }
      content = typeof value === 'string' ? value : canonicalJson(value);
    } else {
      content = canonicalJson(record);
    }
    const source = this.sourcePath
      ? labelFrom(lookup(record, this.sourcePath), this.sourcePath, 'source')
      : null;
    const license = this.licensePath
      ? labelFrom(lookup(record, this.licensePath), this.licensePath, 'license')
      : null;
    return { content, source, license };
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
