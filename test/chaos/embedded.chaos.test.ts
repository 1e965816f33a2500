import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPgliteEventStore } from '../../src/log/events/pglite-event-store.js';
import { startCli, type RunningServer } from '../support/cli-process.js';
import { pollUntil } from '../support/poll-until.js';
import { startLoad } from './harness.js';

// Issue 10, "With the default durability, SIGKILL of `serve` under load loses 0 acknowledged
// decisions, in embedded and in server mode": the server-mode half is case 8 in
// learning-path.chaos.test.ts; this is the embedded half (PGlite + the in-process bus, no
// PostgreSQL or Redis), where the local journal is the only thing between an acknowledged
// decision and the kill.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const START_MS = 150_000;

describe('chaos: embedded mode', () => {
  let dir: string | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL').catch(() => undefined);
    server = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('SIGKILL of embedded serve under load loses no acknowledged decision (default durability)', { timeout: 420_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-chaos-embedded-'));
    // CHAOS_DURABILITY=memory shows what this test catches: decisions lost with the process.
    const env = { APPRENTICE_DATA_DIR: dir, APPRENTICE_LOG_LEVEL: 'silent', ...(process.env.CHAOS_DURABILITY ? { APPRENTICE_DURABILITY: process.env.CHAOS_DURABILITY } : {}) };
    server = await startCli(['serve', '--port', '0', '--no-controller'], env, undefined, undefined, START_MS);
    let url: string | undefined = server.url;
    const load = startLoad(() => url, { concurrency: 8, pauseMs: 0 });
    try {
      // Killed mid-load: once decisions are being acknowledged (at least 3 s, and at least 40 of
      // them: a loaded CI machine acknowledges fewer in 3 s), with more in flight.
      await sleep(3000);
      await pollUntil(() => load.acknowledged.length >= 40, { timeoutMs: 120_000, message: '40 acknowledged decisions before the kill' });
      url = undefined;
      await server.stop('SIGKILL');
    } finally {
      await load.stop();
    }
    expect(load.acknowledged.length).toBeGreaterThan(20);

    // The next start replays the journal into the embedded store; a graceful stop then releases
    // the data directory so the test can open the store itself and count.
    server = await startCli(['serve', '--port', '0', '--no-controller'], env, undefined, undefined, START_MS);
    const restarted = server;
    const visible = async (id: string): Promise<boolean> => (await fetch(`${restarted.url}/api/v1/decisions/${id}`)).status === 200;
    let missing = [...load.acknowledged];
    await pollUntil(
      async () => {
        const still: string[] = [];
        for (const id of missing) if (!(await visible(id))) still.push(id);
        missing = still;
        return missing.length === 0;
      },
      { timeoutMs: 60_000, message: 'every acknowledged decision to be readable after the restart', intervalMs: 250 },
    ).catch(() => undefined); // counted below from the store itself
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
    const store = await createPgliteEventStore({ dataDir: join(dir, 'pgdata') });
    let stored: Map<string, number>;
    try {
      const rows = await store.query<{ id: string; n: number }>(
        `SELECT data->>'decisionId' AS id, count(*)::int AS n FROM events WHERE type = 'DecisionMade' GROUP BY 1`,
      );
      stored = new Map(rows.map((x) => [x.id, x.n]));
    } finally {
      await store.close();
    }
    const lost = load.acknowledged.filter((id) => !stored.has(id));
    const duplicated = [...stored].filter(([, n]) => n > 1).map(([id]) => id);
    expect({ lost: lost.length, duplicated: duplicated.length }, JSON.stringify(lost.slice(0, 5))).toEqual({ lost: 0, duplicated: 0 });
  });
});
