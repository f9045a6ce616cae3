import { UsageError } from './core/errors';

/** Parses repeated `key=value` flags into an object; a key given twice is an error. */
export function parseKeyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new UsageError(`${flag} "${pair}" is not key=value`, `write it as ${flag} team=nlp`);
    const key = pair.slice(0, eq);
    if (key in out) throw new UsageError(`${flag} key "${key}" is given twice`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}
