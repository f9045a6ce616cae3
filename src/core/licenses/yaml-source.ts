import { Document, LineCounter, isNode, parseDocument } from 'yaml';
import { UsageError } from '../errors';

export type YamlPath = readonly (string | number)[];

/** Positions of the values of a YAML file by key path (`licenses.3.family` → [line, col]). */
export type PositionTable = Record<string, readonly [number, number]>;

/** A parsed YAML file, kept as plain data with its positions, for the validated built-in taxonomy. */
export interface YamlSnapshot {
  label: string;
  /** SHA-256 hex of the YAML text it was made from. */
  sha256: string;
  data: unknown;
  positions: PositionTable;
}

/** How deep snapshot positions go: enough for every entry and field a message points at. */
const SNAPSHOT_DEPTH = 4;

/** A parsed YAML file that can say where (file, line, column) any value in it was written. */
export class YamlSource {
  private constructor(
    /** The file path, or a label for injected text. */
    readonly label: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter | undefined,
    private readonly snapshot?: { data: unknown; positions: PositionTable },
  ) {}

  /** Parses `text`; a syntax error raises a UsageError naming the file, line and column. */
  static parse(text: string, label: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0] ?? lines.linePos(error.pos[0]);
      // yaml appends "at line N, column M:" and a code excerpt; keep the first clause only.
      const reason = error.message.split(/ at line \d+/)[0].split('\n')[0];
      throw new UsageError(
        `${label}, line ${pos.line}, column ${pos.col}: invalid YAML: ${reason}`,
        `Fix the YAML syntax at line ${pos.line} of ${label}.`,
      );
    }
    return new YamlSource(label, doc, lines);
  }

  /** A source from a snapshot: no YAML parse (the costly part of loading the taxonomy). */
  static fromSnapshot(snapshot: YamlSnapshot): YamlSource {
    return new YamlSource(snapshot.label, undefined, undefined, snapshot);
  }

  /** The data and the positions of every value down to SNAPSHOT_DEPTH keys. */
  toSnapshot(sha256: string): YamlSnapshot {
    const positions: PositionTable = {};
    const walk = (value: unknown, path: (string | number)[]): void => {
      const { line, col } = this.position(path);
      positions[path.join('.')] = [line, col];
      if (path.length >= SNAPSHOT_DEPTH || value === null || typeof value !== 'object') return;
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
      else for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    };
    const data = this.data();
    walk(data, []);
    return { label: this.label, sha256, data, positions };
  }

  /** The document as plain data. */
  data(): unknown {
    if (this.snapshot) return structuredClone(this.snapshot.data);
    return (this.doc as Document).toJS({ maxAliasCount: 1000 });
  }

  /** The line and column of the value at `path`, or of its nearest ancestor that exists. */
  position(path: YamlPath): { line: number; col: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      if (this.snapshot) {
        const known = this.snapshot.positions[path.slice(0, depth).join('.')];
        if (known) return { line: known[0], col: known[1] };
        continue;
      }
      const doc = this.doc as Document;
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return (this.lines as LineCounter).linePos(node.range[0]);
    }
    return { line: 1, col: 1 };
  }

  /** `file:line`, for messages that point at a definition. */
  at(path: YamlPath): string {
    return `${this.label}:${this.position(path).line}`;
  }

  /** Raises a UsageError that names the file, line and column of `path` and the key path. */
  fail(path: YamlPath, message: string, hint?: string): never {
    const { line, col } = this.position(path);
    const where = path.length ? ` (at ${formatPath(path)})` : '';
    throw new UsageError(`${this.label}, line ${line}, column ${col}: ${message}${where}`, hint);
  }
}

function formatPath(path: YamlPath): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

/** A place in a YAML source, for reporting errors found after the value was read. */
export interface Location {
  src: YamlSource;
  path: YamlPath;
}

export function failAt(loc: Location, message: string, hint?: string): never {
  return loc.src.fail(loc.path, message, hint);
}

export function child(loc: Location, ...parts: (string | number)[]): Location {
  return { src: loc.src, path: [...loc.path, ...parts] };
}
