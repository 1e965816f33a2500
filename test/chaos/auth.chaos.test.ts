import { afterEach, describe, expect, it } from 'vitest';
import { chaosBed, clean, type ChaosBed } from './harness.js';

// Issue 10, cases 4 and 7: tokens and a PostgreSQL outage; a token created while an open
// server runs.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chaos: auth', () => {
  let bed: ChaosBed | undefined;
  afterEach(async () => {
    await bed?.close();
    bed = undefined;
  });

  it('case 4: with tokens, a PostgreSQL outage does not turn decide into errors', { timeout: 180_000 }, async () => {
    bed = await chaosBed('authpg');
    const created = await bed.cli(['tokens', 'create', '--name', 'load', '--role', 'operator', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const { token } = JSON.parse(created.stdout) as { token: string };
    await bed.start({ APPRENTICE_DB_STATEMENT_TIMEOUT_MS: '2000' });
    const health = bed.health(token);
    const load = bed.load({ token });
    try {
      await sleep(1500); // the token is verified once and cached
      bed.pgProxy.cut();
      await health.waitFor(['degraded', 'down'], 15_000, 'detect');
      await sleep(4000);
      bed.pgProxy.restore();
      await health.waitFor(['ok'], 30_000, 'recover');
    } finally {
      await load.stop();
      health.stop();
    }
    expect([...load.failures]).toEqual([]);
    const tally = await bed.settle(load.acknowledged);
    expect(load.acknowledged.length).toBeGreaterThan(20);
    expect(clean(tally)).toEqual({ lost: 0, duplicated: 0, deadLettered: 0 });
    // Without a token the API still refuses.
    const anon = await fetch(`${bed.server!.url}/api/v1/agents/detektor-coder/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unitId: 'x', context: {}, deterministic: 1 }),
    });
    expect(anon.status).toBe(401);
  });

  it('case 7: a token created with the CLI ends open mode on the running server', { timeout: 180_000 }, async () => {
    bed = await chaosBed('authopen');
    const server = await bed.start();
    const decide = () =>
      fetch(`${server.url}/api/v1/agents/detektor-coder/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ unitId: 'u', context: { storyPoints: 3 }, deterministic: 2 }),
      }).then((r) => r.status);
    expect(await decide()).toBe(200);
    const created = await bed.cli(['tokens', 'create', '--name', 'first', '--role', 'admin', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const deadline = Date.now() + 15_000;
    let status = await decide();
    while (status !== 401 && Date.now() < deadline) {
      await sleep(100);
      status = await decide();
    }
    expect(status, 'the server kept serving without a token after one was created').toBe(401);
    const { token } = JSON.parse(created.stdout) as { token: string };
    const withToken = await fetch(`${server.url}/api/v1/agents/detektor-coder/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ unitId: 'u', context: { storyPoints: 3 }, deterministic: 2 }),
    });
    expect(withToken.status).toBe(200);
  });
});
