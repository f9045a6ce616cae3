/**
 * Where a field is in a record: a JSON Pointer (RFC 6901, `/messages/0/content`) or a dotted path
 * (`messages.0.content`). Both step into objects by key and into arrays by index, so the two
 * spellings name the same field; keys with "." or "/" in them need the pointer's escapes.
 */
import { UsageError } from '../errors';

export interface FieldPath {
  /** As the user wrote it (what messages, and the keys of a multi-field content, use). */
  readonly name: string;
  readonly steps: readonly string[];
}

const hasOwn = Object.prototype.hasOwnProperty;
/** An array index per RFC 6901: "0", or digits without a leading zero. */
const INDEX = /^(0|[1-9][0-9]*)$/;

/** Parses a field path; `flag` names the option in errors. */
export function parseFieldPath(name: string, flag: string): FieldPath {
  if (name === '' || name === '/') {
    throw new UsageError(
      `${flag} "${name}" names no field`,
      'give a field name such as text or /messages/0/content',
    );
  }
  if (name.startsWith('/')) {
    const steps = name.slice(1).split('/');
    for (const step of steps) {
      if (/~[^01]|~$/.test(step)) {
        throw new UsageError(
          `${flag} "${name}" is not a valid JSON Pointer: "~" must be followed by 0 or 1`,
          'write ~0 for "~" and ~1 for "/" inside a key',
        );
      }
    }
    return { name, steps: steps.map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) };
  }
  const steps = name.split('.');
  if (steps.some((s) => s === '')) {
    throw new UsageError(
      `${flag} "${name}" has an empty step`,
      'write a dotted path such as data.text, or a JSON Pointer such as /data/text',
    );
  }
  return { name, steps };
}

/** The value at a path (own properties, array indices), or undefined when there is none. */
export function lookup(record: unknown, path: FieldPath): unknown {
  let value: unknown = record;
  for (const step of path.steps) {
    if (Array.isArray(value)) {
      if (!INDEX.test(step)) return undefined;
      const index = Number(step);
      if (index >= value.length) return undefined;
      value = value[index];
    } else if (value !== null && typeof value === 'object') {
      if (!hasOwn.call(value, step)) return undefined;
      value = (value as Record<string, unknown>)[step];
    } else {
      return undefined;
    }
  }
  return value;
}
