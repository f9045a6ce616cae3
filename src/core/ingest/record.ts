/**
 * What a record is, per input format. Parsing lives in segment-parser.ts, which runs on worker
 * threads as well as on the main thread.
 */
export type InputFormat = 'jsonl' | 'text';

export interface RecordOptions {
  format: InputFormat;
  /** Dotted path of the field whose value is the content; the whole record when absent. */
  contentField?: string;
  sourceField?: string;
  licenseField?: string;
}
