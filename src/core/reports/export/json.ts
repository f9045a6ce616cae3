/**
 * `json`: everything about the session in one document: the provenance the card is made from
 * (summary, sources with their SHA-256, license propagation, integrity roots) plus every batch
 * with its RFC 6962 root. Full ids and hashes, snake_case keys.
 */
import { BatchInfo } from '../../sessions/inspect';
import { SessionProvenance } from '../provenance';
import { ExportContext } from './context';

export const JSON_FORMAT_NAME = 'origin-provenance';
/**
 * 2: each source's `share` became `record_share` (of the session's records) beside `byte_share`
 * (of its content bytes).
 */
export const JSON_FORMAT_VERSION = 2;

export type ProvenanceDocument = {
  format: typeof JSON_FORMAT_NAME;
  format_version: typeof JSON_FORMAT_VERSION;
} & SessionProvenance & { batches: BatchInfo[] };

export function provenanceDocument(ctx: ExportContext): ProvenanceDocument {
  return {
    format: JSON_FORMAT_NAME,
    format_version: JSON_FORMAT_VERSION,
    ...ctx.provenance,
    batches: ctx.batches,
  };
}

export function renderJson(ctx: ExportContext): string {
  return `${JSON.stringify(provenanceDocument(ctx), null, 2)}\n`;
}
