import type { EventMetadata, NewEvent } from '../core/index.js';
import { uuidv7 } from '../core/index.js';

export { authOf, requestActor, type RequestAuth } from '../core/index.js';

/** A control action as an audit event: data holds before/after, metadata actor and reason. */
export function controlEvent<D>(
  type: string,
  stream: string,
  data: D,
  meta: { readonly actor: string; readonly reason?: string | undefined },
  now: Date = new Date(),
): NewEvent<string, D> {
  const metadata: EventMetadata = {
    actor: meta.actor,
    ...(meta.reason === undefined ? {} : { reason: meta.reason }),
  };
  return { id: uuidv7(now.getTime()), type, stream, data, metadata, time: now.toISOString() };
}
