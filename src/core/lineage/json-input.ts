/** Events given as JSON text (`lineage record --from-json`): one object, or JSON Lines of them. */
import { UsageError } from '../errors';
import { isPayload } from './event';
import { EventInput } from './record';
import { assertExactNumbers } from './values';

const INPUT_KEYS = new Set(['type', 'payload', 'parents', 'timestamp', 'hash']);

function inputFromJson(value: unknown, where: string): EventInput {
  if (!isPayload(value)) {
    throw new UsageError(
      `${where}: an event must be a JSON object {"type", "payload", "parents"?, "timestamp"?}`,
    );
  }
  const unknown = Object.keys(value).filter((k) => !INPUT_KEYS.has(k));
  if (unknown.length > 0) {
    throw new UsageError(
      `${where}: unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}`,
      'an event has "type", "payload", and optionally "parents", "timestamp" and "hash"',
    );
  }
  const { type, payload, parents, timestamp, hash } = value;
  if (typeof type !== 'string') throw new UsageError(`${where}: "type" must be a string`);
  if (!isPayload(payload)) throw new UsageError(`${where}: "payload" must be a JSON object`);
  if (
    parents !== undefined &&
    (!Array.isArray(parents) || !parents.every((p) => typeof p === 'string'))
  ) {
    throw new UsageError(`${where}: "parents" must be an array of event hashes`);
  }
  if (timestamp !== undefined && typeof timestamp !== 'string') {
    throw new UsageError(`${where}: "timestamp" must be an RFC 3339 string`);
  }
  if (hash !== undefined && typeof hash !== 'string') {
    throw new UsageError(`${where}: "hash" must be a hex string`);
  }
  return {
    type,
    payload,
    parents: parents as string[] | undefined,
    timestamp,
    hash,
  };
}

export interface ParsedInputs {
  inputs: EventInput[];
  /** Where each input came from (`file:line`), for error messages. */
  labels: string[];
  /** True for JSON Lines input (then the output is JSON Lines as well). */
  lines: boolean;
}

/**
 * Parses --from-json text: one JSON object (pretty-printed or not), or JSON Lines of them.
 * Numbers that a double cannot hold exactly are refused, never rounded.
 */
export function parseEventInputs(text: string, source: string): ParsedInputs {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new UsageError(`${source} holds no event`);
  let whole: unknown;
  let wholeOk = false;
  try {
    whole = JSON.parse(body);
    wholeOk = true;
  } catch {
    wholeOk = false;
  }
  if (wholeOk) {
    if (Array.isArray(whole)) {
      throw new UsageError(
        `${source} is a JSON array`,
        "give one event object, or JSON Lines (one event per line), e.g. jq -c '.[]'",
      );
    }
    assertExactNumbers(body, source);
    return { inputs: [inputFromJson(whole, source)], labels: [source], lines: false };
  }
  const inputs: EventInput[] = [];
  const labels: string[] = [];
  body.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const where = `${source}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new UsageError(`${where}: invalid JSON (${(err as Error).message})`);
    }
    assertExactNumbers(line, where);
    inputs.push(inputFromJson(value, where));
    labels.push(where);
  });
  return { inputs, labels, lines: true };
}
