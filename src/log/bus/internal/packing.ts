import type { NewEvent } from '../../../core/index.js';

/** Default number of events packed into one stream entry. */
export const DEFAULT_EVENTS_PER_ENTRY = 256;

/** Split a batch into entry-sized chunks (one stream entry each). */
export function chunkEvents(events: readonly NewEvent[], size: number): NewEvent[][] {
  const chunks: NewEvent[][] = [];
  for (let i = 0; i < events.length; i += size) chunks.push(events.slice(i, i + size));
  return chunks;
}

/** Events of one entry as the single JSON field stored in Redis. */
export const encodeEvents = (events: readonly NewEvent[]): string => JSON.stringify(events);

export function decodeEvents(json: string | undefined): NewEvent[] {
  if (json === undefined) return [];
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? (parsed as NewEvent[]) : [];
}
