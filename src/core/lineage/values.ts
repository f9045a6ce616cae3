/**
 * The values an event holds, in the one form that is hashed:
 * - Timestamps are normalised to RFC 3339 UTC with milliseconds; finer digits are truncated.
 * - Numbers are JSON numbers (IEEE-754 doubles). A numeral a double cannot hold exactly (more
 *   than 17 significant digits, overflow, underflow) is refused rather than rounded.
 * - Strings are valid Unicode (JCS needs it).
 */
import { UsageError } from '../errors';
import { JsonValue } from './event';

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Parses an RFC 3339 date-time (any offset, any fraction) and returns it in the one form Origin
 * stores: UTC with milliseconds (`2024-05-01T12:00:00.000Z`). Digits beyond the millisecond are
 * truncated. Throws a UsageError naming `what` otherwise.
 */
export function normalizeTimestamp(text: string, what = 'timestamp'): string {
  const bad = (why: string): UsageError =>
    new UsageError(
      `${what} "${text}" ${why}`,
      'write an RFC 3339 time such as 2024-05-01T12:00:00Z or 2024-05-01T14:00:00.250+02:00',
    );
  const m = RFC3339.exec(text.trim());
  if (!m) throw bad('is not an RFC 3339 date-time');
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const fraction = m[7] ?? '';
  const offsetSign = m[9] === '-' ? -1 : 1;
  const offsetHours = m[8] ? 0 : Number(m[10]);
  const offsetMinutes = m[8] ? 0 : Number(m[11]);
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate();
  const leap = month === 2 && day === 29;
  const isLeapYear = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth ||
    (leap && !isLeapYear) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    throw bad('is not a valid date and time');
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(`${fraction}000`.slice(0, 3)));
  const utc = new Date(
    date.getTime() - offsetSign * (offsetHours * 60 + offsetMinutes) * 60_000,
  ).toISOString();
  if (!CANONICAL_TIME.test(utc)) throw bad('is outside the years 0000-9999 in UTC');
  return utc;
}

/** True when `text` is exactly the stored form: RFC 3339 UTC with milliseconds, a real instant. */
export function isCanonicalTimestamp(text: unknown): boolean {
  if (typeof text !== 'string' || !CANONICAL_TIME.test(text)) return false;
  const time = new Date(text);
  return !Number.isNaN(time.getTime()) && time.toISOString() === text;
}

const NUMERAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Significant digits and exponent of a decimal numeral: value = ±0.DIGITS × 10^exponent. */
function decimalForm(numeral: string): { digits: string; exponent: number } {
  const m = NUMERAL.exec(numeral);
  if (!m) return { digits: 'x', exponent: 0 };
  const whole = m[2];
  let digits = whole + (m[3] ?? '');
  let exponent = whole.length + Number(m[4] ?? 0);
  const trimmed = digits.replace(/^0+/, '');
  exponent -= digits.length - trimmed.length;
  digits = trimmed.replace(/0+$/, '');
  return digits === '' ? { digits: '', exponent: 0 } : { digits, exponent };
}

/**
 * True when the decimal numeral denotes a finite IEEE-754 double exactly, i.e. JSON (and JCS)
 * keep the very number that was written: `0.1` yes, `0.10000000000000001` or `1e400` no.
 */
export function isExactNumber(numeral: string): boolean {
  const n = Number(numeral);
  if (!NUMERAL.test(numeral) || !Number.isFinite(n)) return false;
  const written = decimalForm(numeral);
  const kept = decimalForm(String(n));
  return written.digits === kept.digits && written.exponent === kept.exponent;
}

/** Refuses any number in a JSON text that parsing would round (checked token by token). */
export function assertExactNumbers(text: string, where: string): void {
  for (const m of text.matchAll(/"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)) {
    if (m[0].startsWith('"') || isExactNumber(m[0])) continue;
    throw new UsageError(
      `${where}: the number ${m[0]} cannot be kept exactly (a JSON number is an IEEE-754 double; it would become ${String(Number(m[0]))})`,
      'write it with at most 17 significant digits, or as a string to keep every digit',
    );
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Checks that a parsed value is plain JSON whose strings are valid Unicode (JCS needs both). */
export function assertJsonValue(value: unknown, where: string): asserts value is JsonValue {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new UsageError(`${where} is not a finite number`);
    return;
  }
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      throw new UsageError(`${where} holds an unpaired UTF-16 surrogate (not valid Unicode)`);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => assertJsonValue(item, `${where}[${i}]`));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      assertJsonValue(key, `${where} key "${key}"`);
      assertJsonValue(item, `${where}.${key}`);
    }
    return;
  }
  throw new UsageError(`${where} is not a JSON value`);
}
