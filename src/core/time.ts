/** RFC 3339 UTC with millisecond precision, the only time format Origin stores or prints. */
export function nowUtc(): string {
  return new Date().toISOString();
}
