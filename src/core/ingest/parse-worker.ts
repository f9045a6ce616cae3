/**
 * The program of an ingest parser thread (started by pool.ts): its first message is the parser's
 * options, every later one a segment, answered with its SegmentResult (buffers transferred).
 */
import { parentPort } from 'node:worker_threads';
import { ParseOptions, SegmentJob, SegmentParser } from './parse';

export type ParserRequest =
  { kind: 'options'; options: ParseOptions } | { kind: 'segment'; job: SegmentJob };

let parser: SegmentParser | undefined;

parentPort?.on('message', (message: ParserRequest) => {
  if (message.kind === 'options') {
    parser = new SegmentParser(message.options);
    return;
  }
  try {
    if (!parser) throw new Error('a segment came before the parser options');
    const result = parser.parse(message.job);
    const buffers = [result.data, result.fingerprints, result.leaves, result.sizes, result.labels];
    parentPort?.postMessage(
      result,
      buffers.map((b) => b.buffer as ArrayBuffer),
    );
  } catch (err) {
    parentPort?.postMessage({ seq: message.job.seq, error: (err as Error).message ?? String(err) });
  }
});
