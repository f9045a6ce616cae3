import { JsonValue, LineageEvent, isPayload } from './event';

/**
 * An event's payload as one line of `key=value` pairs (nested keys dotted, e.g.
 * `metrics.accuracy=0.913`), for tables and cards. Strings with spaces, quotes or `=` are
 * JSON-quoted; 64-hex hashes are cut to `hashLength` characters followed by "…" when shorter.
 */
export function eventSummary(event: Pick<LineageEvent, 'payload'>, hashLength = 64): string {
  const scalar = (value: JsonValue): string => {
    if (typeof value !== 'string') return JSON.stringify(value);
    if (/^[0-9a-f]{64}$/.test(value) && hashLength < 64) return `${value.slice(0, hashLength)}…`;
    return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  };
  const out: string[] = [];
  const walk = (prefix: string, value: JsonValue): void => {
    if (isPayload(value)) {
      for (const [key, item] of Object.entries(value)) walk(`${prefix}${key}.`, item);
    } else out.push(`${prefix.slice(0, -1)}=${scalar(value)}`);
  };
  walk('', event.payload);
  return out.join('  ');
}
