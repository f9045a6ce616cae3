/**
 * Rows of CSV and TSV input (csv-parse): the header row names the fields, every later row is one
 * record, an object of its columns' string values. The bytes must be UTF-8 (checked, not
 * replaced); a row with a different number of columns than the header is bad input.
 */
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';

export type RowFormat = 'csv' | 'tsv';

export interface Row {
  /** Header names → values. */
  record: Record<string, string>;
  /** 1-based line of the input where the row ends (rows may span lines inside quotes). */
  line: number;
}

/** A row that cannot be read, at `line` of the input. */
export class RowError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** Lines before the first invalid byte of `chunk` (whose strict decoding failed), after `before`. */
function lineOfInvalidByte(chunk: Buffer, before: number): number {
  const text = new TextDecoder('utf-8').decode(chunk);
  const bad = text.indexOf('\uFFFD');
  let lines = before;
  for (let at = text.indexOf('\n'); at !== -1 && at < bad; at = text.indexOf('\n', at + 1)) lines++;
  return lines + 1;
}

async function* utf8Text(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let newlines = 0;
  for await (const chunk of chunks) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new RowError(lineOfInvalidByte(chunk, newlines), 'not valid UTF-8');
    }
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) newlines++;
    yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest !== '') yield rest;
  } catch {
    throw new RowError(newlines + 1, 'not valid UTF-8 (the input ends inside a character)');
  }
}

/** The rows of CSV (`,`) or TSV (tab-separated, same quoting rules) text, in order. */
export async function* csvRows(
  chunks: AsyncIterable<Buffer>,
  format: RowFormat,
): AsyncGenerator<Row> {
  const lines = { count: 0 };
  const parser = parse({
    delimiter: format === 'tsv' ? '\t' : ',',
    columns: (header: string[]) => {
      const seen = new Set<string>();
      for (const name of header) {
        if (seen.has(name))
          throw new RowError(1, `column "${name}" appears twice in the header row`);
        seen.add(name);
      }
      return header;
    },
    bom: true,
    info: true,
    skip_empty_lines: true,
  });
  let sourceError: { error: unknown } | undefined;
  const text = Readable.from(utf8Text(chunks));
  text.on('error', (err) => {
    sourceError = { error: err };
    parser.destroy(err);
  });
  text.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      lines.count = item.info.lines;
      yield { record: item.record, line: item.info.lines };
    }
  } catch (err) {
    if (sourceError) throw sourceError.error;
    if (err instanceof RowError) throw err;
    if (err instanceof CsvError) {
      const at = (err as CsvError & { lines?: number }).lines ?? lines.count + 1;
      throw new RowError(at, `${format === 'tsv' ? 'TSV' : 'CSV'}: ${err.message}`);
    }
    throw err;
  } finally {
    text.destroy();
  }
}
