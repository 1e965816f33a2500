import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import type { LearningBus } from '../log/bus/learning-bus.js';
import { createSpool } from '../log/bus/spool.js';
import { AsyncLearningWriter } from './async-learning-writer.js';
import { CachedDecisionReader } from './cached-decision-reader.js';
import { hashContext } from './context-hash.js';
import { createPgliteEventStore } from '../log/events/pglite-event-store.js';
import type { SqlEventStore } from '../log/events/sql-event-store.js';
import { decisionEvent } from '../log/events/testing/fixtures.js';
import { Projector } from '../log/projector/projector.js';
import { pollUntil } from '../../test/support/poll-until.js';

const decision = (i: number) =>
  ({
    agent: 'code-reviewer',
    unitId: `pr-${i}`,
    value: i % 2 ? 'approve' : 'request-changes',
    source: 'deterministic',
    reason: 'RULES',
    variant: 'deterministic',
    propensity: 1,
    latencyMs: 0.01,
  }) as const;

describe('write path: writer → bus → projector → store → reader', () => {
  let store: SqlEventStore;
  let dir: string;
  beforeEach(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://' });
    await store.migrate();
    dir = mkdtempSync(join(tmpdir(), 'apprentice-pipeline-'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every decision and outcome exactly once, and a process reads its own writes at once', async () => {
    const bus = createMemoryBus();
    const reader = new CachedDecisionReader({ store });
    const writer = new AsyncLearningWriter({ bus, onRecord: (e) => reader.observe(e) });
    const projector = new Projector({ bus, store, consumer: 'p1' });
    const ctx = { diff: { files: 3 }, author: 'a' };
    const ids = Array.from({ length: 500 }, (_, i) =>
      writer.recordDecision({ ...decision(i), contextHash: i === 7 ? hashContext('code-reviewer', ctx) : undefined }),
    );
    writer.recordOutcome(ids[0]!, { label: 'approve' });
    // Read-your-writes: before anything was flushed.
    expect((await reader.get(ids[3]!))?.decision.unitId).toBe('pr-3');
    expect((await reader.getDecision('code-reviewer', { author: 'a', diff: { files: 3 } }))?.decision.decisionId).toBe(ids[7]);
    await writer.flush();
    await projector.drainOnce();
    const [{ n }] = (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions')) as [{ n: number }];
    expect(n).toBe(500);
    // A fresh reader (another process) finds it in the store, with its outcome.
    const other = new CachedDecisionReader({ store });
    const view = await other.get(ids[0]!);
    expect(view?.outcome?.label).toBe('approve');
    expect(other.stats().storeHits).toBe(1);
    expect(await other.getDecision('code-reviewer', ctx)).toMatchObject({ decision: { decisionId: ids[7] } });
    await writer.close();
  });

  it('a batch published twice is stored once', async () => {
    const bus = createMemoryBus();
    const projector = new Projector({ bus, store, consumer: 'p1' });
    const batch = Array.from({ length: 10 }, () => decisionEvent());
    await bus.publish('events', batch);
    await bus.publish('events', batch);
    await projector.drainOnce();
    expect(projector.stats()).toMatchObject({ appended: 10, duplicates: 10 });
    const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    expect(rows[0]!.n).toBe(10);
  });

  it("a crashed consumer's pending entries are claimed and stored by another; a poison entry is dead-lettered", async () => {
    let now = 1_000_000;
    const bus = createMemoryBus({ now: () => now, maxDeliveries: 3 });
    await bus.ensureGroup('events', 'projector');
    const good = Array.from({ length: 5 }, () => decisionEvent());
    await bus.publish('events', good);
    const poison = { ...decisionEvent(), time: 'not a time' };
    await bus.publish('events', [poison]);
    // Consumer "crashed" takes both entries and dies without acknowledging.
    const taken = await bus.read('events', 'projector', 'crashed', { count: 10 });
    expect(taken.length).toBe(2);
    const survivor = new Projector({ bus, store, consumer: 'survivor', claimIdleMs: 1000, claimIntervalMs: 0, blockMs: 1 });
    await survivor.start();
    await pollUntil(
      () => {
        if (survivor.stats().deadLettered > 0) return true;
        now += 1500; // the crashed consumer's entries go idle
        return false;
      },
      { timeoutMs: 10_000, intervalMs: 20, message: 'the poison entry to be dead-lettered' },
    );
    await survivor.stop();
    const rows = await store.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    expect(rows[0]!.n).toBe(5);
    expect(survivor.stats().claimed).toBeGreaterThan(0);
    const dead = await bus.deadLetters('events');
    expect(dead.flatMap((m) => m.events.map((e) => e.id))).toEqual([poison.id]);
    expect((await bus.groupInfo('events', 'projector')).pending).toBe(0);
  });

  it('spools while the bus rejects, and replays in order when it returns', async () => {
    const inner = createMemoryBus();
    let down = true;
    const flaky: LearningBus = {
      ...inner,
      kind: 'memory',
      publish: (t, e) => (down ? Promise.reject(new Error('bus down')) : inner.publish(t, e)),
      ping: () => (down ? Promise.reject(new Error('bus down')) : inner.ping()),
    };
    const spool = createSpool({ dir });
    const writer = new AsyncLearningWriter({ bus: flaky, spool, recoveryIntervalMs: 10, batchSize: 50 });
    const ids = Array.from({ length: 300 }, (_, i) => writer.recordDecision(decision(i)));
    await writer.flush();
    expect(writer.stats()).toMatchObject({ spooled: 300, busUp: false });
    expect((await spool.size()).events).toBe(300);
    down = false;
    await pollUntil(() => writer.stats().replayed >= 300, { timeoutMs: 10_000, message: 'the 300 spooled events to be replayed' });
    const projector = new Projector({ bus: inner, store, consumer: 'p' });
    await projector.drainOnce();
    const rows = await store.query<{ id: string }>('SELECT decision_id::text AS id FROM decisions ORDER BY unit_id');
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect((await spool.size()).events).toBe(0);
    await writer.close();
  });
});
