import { cursorOf, type Cursor, type EventStore } from '../event-store.js';
import { deadline } from '../../../../test/support/poll-until.js';

/**
 * A reader that checkpoints after every page, as a projector would, and counts how often it
 * saw each event id. It stops once writing is over and it has seen `expected` events, or
 * after 1000 idle polls: readers only see transactions below the cluster-wide snapshot xmin,
 * so another test file's long transaction may hold them back for a while. It fails with a
 * message after `timeoutMs` (default 45 s, under the 60 s test timeout) whatever the store does.
 */
export function startCheckpointingReader(
  store: EventStore,
  options: { after: Cursor; limit: number; expected: number; writing: () => boolean; timeoutMs?: number },
): { seen: Map<string, number>; done: Promise<void> } {
  const seen = new Map<string, number>();
  let cursor = options.after;
  let idle = 0;
  // A read that never moves past its cursor keeps returning pages (idle stays 0): bounded here.
  const check = deadline({ timeoutMs: options.timeoutMs ?? 45_000, message: `the checkpointing reader to see ${options.expected} events` });
  const done = (async () => {
    while (options.writing() || (seen.size < options.expected && idle < 1000)) {
      check();
      const page = await store.readAll({ after: cursor, limit: options.limit });
      for (const e of page) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      if (page.length > 0) {
        cursor = cursorOf(page[page.length - 1]!);
        idle = 0;
      } else if (!options.writing()) {
        idle++;
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setImmediate(r));
    }
  })();
  return { seen, done };
}
