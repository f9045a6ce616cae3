import { Document, LineCounter, isNode, parseDocument } from 'yaml';
import { UsageError } from '../errors';

export type YamlPath = readonly (string | number)[];

/** A parsed YAML file that can say where (file, line, column) any value in it was written. */
export class YamlSource {
  private constructor(
    /** The file path, or a label for injected text. */
    readonly label: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
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

  /** The document as plain data. */
  data(): unknown {
    return this.doc.toJS({ maxAliasCount: 1000 });
  }

  /** The line and column of the value at `path`, or of its nearest ancestor that exists. */
  position(path: YamlPath): { line: number; col: number } {
    for (let depth = path.length; depth >= 0; depth--) {
      const node =
        depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]);
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
