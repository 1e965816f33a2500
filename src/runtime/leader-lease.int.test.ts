import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../test/support/poll-until.js';
import { PG_URL, createTestSchema, type TestSchema } from '../../test/support/services.js';
import { packageRoot } from '../core/package-root.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { installExperiments, type InstalledExperiments } from './install-experiments.js';
import { createAdvisoryLease, type LeaderLease } from './leader-lease.js';

// One rollout controller for the fleet (issue 14): a PostgreSQL session advisory lock.
describe('leader lease (PostgreSQL advisory lock)', () => {
  let schema: TestSchema;
  let url: string;
  const leases: LeaderLease[] = [];
  beforeAll(async () => {
    schema = await createTestSchema('lease');
    url = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
  });
  afterAll(async () => {
    for (const l of leases) await l.close();
    await schema?.drop();
  });

  it('elects exactly one leader among instances, and a released lease passes to another', async () => {
    const a = createAdvisoryLease({ connectionString: url, name: 'test-a', intervalMs: 100 });
    const b = createAdvisoryLease({ connectionString: url, name: 'test-a', intervalMs: 100 });
    leases.push(a, b);
    await pollUntil(() => a.isLeader() || b.isLeader(), { timeoutMs: 5000, message: 'nobody took the lease' });
    await new Promise((r) => setTimeout(r, 300));
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
    await leader.close();
    await pollUntil(() => follower.isLeader(), { timeoutMs: 5000, message: 'the follower never took the released lease' });
  });

  it('a leader killed with SIGKILL is replaced within two intervals of PostgreSQL noticing', async () => {
    const built = join(packageRoot(), 'dist', 'src', 'runtime', 'leader-lease.js');
    expect(existsSync(built), `${built} is missing: run npm run build (npm test does)`).toBe(true);
    const script = `import { createAdvisoryLease } from ${JSON.stringify(pathToFileURL(built).href)};
const l = createAdvisoryLease({ connectionString: process.env.URL, name: 'test-kill', intervalMs: 100, onChange: (x) => x && console.log('LEADER') });
setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('the child never became leader')), 10_000);
        child.stdout.on('data', (c: Buffer) => {
          if (c.toString().includes('LEADER')) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      const intervalMs = 200;
      const follower = createAdvisoryLease({ connectionString: url, name: 'test-kill', intervalMs });
      leases.push(follower);
      await new Promise((r) => setTimeout(r, 3 * intervalMs));
      expect(follower.isLeader()).toBe(false);
      const killed = performance.now();
      child.kill('SIGKILL');
      await pollUntil(() => follower.isLeader(), { timeoutMs: 10_000, message: 'the follower never took over from the killed leader' });
      console.log(`leader handover after SIGKILL: ${(performance.now() - killed).toFixed(0)} ms (interval ${intervalMs} ms)`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('the rollout controller runs on the leader only', () => {
  let schema: TestSchema;
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-lease-'));
  const apprentices: Apprentice[] = [];
  const installed: InstalledExperiments[] = [];
  beforeAll(async () => {
    schema = await createTestSchema('leasectl');
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    for (const name of ['one', 'two']) {
      const a = await createApprentice({ config: { databaseUrl, dataDir: join(dir, name), logLevel: 'silent' }, instanceId: name });
      apprentices.push(a);
      installed.push(await installExperiments(a, { intervalMs: 100, flagResyncIntervalMs: 0 }));
    }
  });
  afterAll(async () => {
    for (const x of installed) await x.stop();
    for (const a of apprentices) await a.close();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one instance ticks, the other waits; the leadership is an audited event', async () => {
    await pollUntil(() => installed.some((x) => x.controller.ticks >= 5), { timeoutMs: 10_000, message: 'no controller ticked' });
    const ticks = installed.map((x) => x.controller.ticks);
    expect(ticks.filter((t) => t > 0)).toHaveLength(1);
    for (const a of apprentices) await a.writer.flush();
    const events = await pollUntil(
      async () => {
        const found = await apprentices[0]!.store.readAll({ types: ['ControllerLeadershipChanged'] });
        return found.length > 0 && found;
      },
      { timeoutMs: 10_000, message: 'the ControllerLeadershipChanged event in the store' },
    );
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ leader: true, instanceId: ticks[0]! > 0 ? 'one' : 'two' })]);
  });
});
