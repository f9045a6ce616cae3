import { isUtf8 } from 'node:buffer';
import { canonicalJson } from './fingerprint';

export type InputFormat = 'jsonl' | 'text';

export interface RecordOptions {
  format: InputFormat;
  /** Dotted path of the field whose value is the content; the whole record when absent. */
  contentField?: string;
  sourceField?: string;
  licenseField?: string;
}

/** One sample's content bytes (SPEC.md §1), and the per-record source and license, if any. */
export interface ParsedRecord {
  content: Buffer | string;
  source?: string;
  license?: string;
}

/** Why one input line cannot be recorded. */
export class InvalidLineError extends Error {}

type Path = readonly string[];

export function splitPath(field: string | undefined): Path | undefined {
  return field === undefined ? undefined : field.split('.');
}

function lookup(record: unknown, path: Path): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function labelOf(record: unknown, path: Path | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  const value = lookup(record, path);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new InvalidLineError(`${what} field "${path.join('.')}" is not a string`);
}

const BOM = 0xfeff;

/** Turns raw lines into records; one instance per ingest, so the field paths are split once. */
export class RecordParser {
  private readonly content?: Path;
  private readonly source?: Path;
  private readonly license?: Path;

  constructor(private readonly options: RecordOptions) {
    this.content = splitPath(options.contentField);
    this.source = splitPath(options.sourceField);
    this.license = splitPath(options.licenseField);
  }

  /** Parses one line; returns undefined for a blank JSONL line (skipped, like most JSONL readers). */
  parse(line: Buffer, firstLineOfInput: boolean): ParsedRecord | undefined {
    if (this.options.format === 'text') return { content: line };
    if (!isUtf8(line)) throw new InvalidLineError('line is not valid UTF-8');
    let text = line.toString('utf8');
    if (firstLineOfInput && text.charCodeAt(0) === BOM) text = text.slice(1);
    if (text.trim() === '') return undefined;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      throw new InvalidLineError(`invalid JSON: ${(err as Error).message}`);
    }
    let content: string;
    if (this.content) {
      const value = lookup(record, this.content);
      if (value === undefined) {
        throw new InvalidLineError(`no content field "${this.content.join('.')}" in this record`);
      }
      content = typeof value === 'string' ? value : canonicalJson(value);
    } else {
      content = canonicalJson(record);
    }
    return {
      content,
      source: labelOf(record, this.source, 'source'),
      license: labelOf(record, this.license, 'license'),
    };
  }
}
