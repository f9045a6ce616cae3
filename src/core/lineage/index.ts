/** Model lineage (SPEC.md §3): lifecycle events as a hash-linked DAG; record, trace, verify. */
export type { EventType, JsonValue, LineageEvent, Payload } from './event';
export { EVENT_TYPES, checkEventType } from './event';
export * from './hash';
export { isCanonicalTimestamp, isExactNumber, normalizeTimestamp } from './values';
export { MIN_HASH_PREFIX, listEvents, resolveEventHash } from './lookup';
export { eventSummary } from './summary';
export type { EventInput, RecordedEvent } from './record';
export { recordEvent, recordEvents } from './record';
export type { ParsedInputs } from './json-input';
export { parseEventInputs } from './json-input';
export type { LineageTrace, ModelLink, SessionLink, TraceItem, TraceNode } from './graph';
export { modelsForSessions, traceEvent } from './graph';
export type { LineageCheck, LineageFailure, LineageVerification } from './verify';
export { verifyEvents, verifyLineage } from './verify';
