/** Ingest's defaults and sizes, shared by ingest.ts and what bin/run.js starts before the CLI loads. */
export const DEFAULT_BATCH_SIZE = 1024;
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Input is read, and parsed, in segments of whole lines of about this size. */
export const SEGMENT_BYTES = 1 << 18;
