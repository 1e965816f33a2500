import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../../test/support/poll-until.js';
import { createPgliteEventStore } from './pglite-event-store.js';
import { PGLITE_POLL_MS, type SqlEventStore } from './sql-event-store.js';
import { decisionEvent } from './testing/fixtures.js';

// PGlite runs on the service's own event loop, so every follower read delays decide requests.
// Under a steady stream of appends a subscription on PGlite reads at most once per
// PGLITE_POLL_MS and does not keep polling after a wake-up (an embedded service at 40
// decisions/s spent 46% of its loop in follower reads when each read 20 times a second).
describe('PGlite subscriptions read at most once per PGLITE_POLL_MS under steady appends', () => {
  let store: SqlEventStore;
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://' });
    await store.migrate();
  });
  afterAll(async () => store.close());

  it('reads ≤ 1 + elapsed / PGLITE_POLL_MS + 1 times while appends arrive every 10 ms, and sees every event', async () => {
    let reads = 0;
    const readPage = store.readPage.bind(store);
    store.readPage = (o) => {
      reads++;
      return readPage(o);
    };
    let seen = 0;
    const dispose = store.subscribe((events) => void (seen += events.length), { types: ['DecisionMade'] });
    await pollUntil(() => reads > 0, { timeoutMs: 5000, message: 'the first read' });
    const before = reads;
    const t0 = performance.now();
    let appended = 0;
    while (performance.now() - t0 < 1500) {
      await store.append([decisionEvent({ agent: 'cost', unitId: `u-${appended}`, value: 1, deterministic: 1, features: {} }, new Date())]);
      appended++;
      await new Promise((r) => setTimeout(r, 10));
    }
    const elapsed = performance.now() - t0;
    const during = reads - before;
    await pollUntil(() => seen === appended, { timeoutMs: 5000, message: 'every appended event delivered' });
    await dispose();
    expect(appended).toBeGreaterThan(20);
    // A bound, not a time: a slower machine reads less often, never more.
    expect(during, `${during} reads in ${elapsed.toFixed(0)} ms for ${appended} appends`).toBeLessThanOrEqual(2 + Math.ceil(elapsed / PGLITE_POLL_MS));
  });
});
