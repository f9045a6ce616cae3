/**
 * What a lifecycle event is (SPEC.md §3): its types, its payload, and the row it is stored as.
 * The payload is stored as its JCS text and the parent links as rows of `event_parents`.
 */
import { UsageError } from '../errors';

export const EVENT_TYPES = ['training', 'dataset', 'evaluation', 'prediction'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type Payload = { [key: string]: JsonValue };

/** An event as printed with --json: full hashes, parents sorted. */
export interface LineageEvent {
  hash: string;
  type: string;
  parents: string[];
  payload: Payload;
  timestamp: string;
}

/** A row of `events`. */
export interface EventRow {
  id: number;
  hash: Uint8Array;
  type: string;
  timestamp: string;
  payload: string;
  session_id: number | null;
}

export function isPayload(value: unknown): value is Payload {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses a type that is not one of EVENT_TYPES (exit 2). */
export function checkEventType(type: string): EventType {
  if (!(EVENT_TYPES as readonly string[]).includes(type)) {
    throw new UsageError(
      `"${type}" is not a lineage event type`,
      `use one of ${EVENT_TYPES.join(', ')}`,
    );
  }
  return type as EventType;
}
