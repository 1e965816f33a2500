import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../core/index.js';
import type { LearningBus } from '../log/bus/learning-bus.js';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import type { DrainResult, Spool, SpoolSize } from '../log/bus/spool.js';
import { pollUntil } from '../../test/support/poll-until.js';
import { AsyncLearningWriter } from './async-learning-writer.js';

// `durability: 'local'` with a real journal in a temporary directory: what a run leaves
// unpublished or unconfirmed is resent by the next run's start(), before anything new; what
// the store confirmed is not; close() releases the journal; a journal held by another live
// process leaves the writer running in memory, saying why; a failed journal write loses
// nothing from memory. And start()'s own guarantees: idempotent, a no-op once closed.

const decision = (i: number) =>
  ({ agent: 'triage', unitId: `u-${i}`, value: 'low', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 0 }) as const;

const unitOf = (e: NewEvent): string => (e.data as { unitId: string }).unitId;

/** A memory bus that can be taken down and logs the unit ids it accepted, in order. */
function switchableBus() {
  const inner = createMemoryBus();
  const state = { down: false, units: [] as string[], ids: [] as string[] };
  const bus: LearningBus = {
    ...inner,
    publish: async (topic, events) => {
      if (state.down) throw new Error('bus down');
      state.units.push(...events.map(unitOf));
      state.ids.push(...events.map((e) => e.id));
      return inner.publish(topic, events);
    },
    ping: async () => {
      if (state.down) throw new Error('bus down');
    },
    epoch: async () => {
      if (state.down) throw new Error('bus down');
      return 'e1';
    },
  };
  return { bus, state };
}

const dirs: string[] = [];
const journalDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-writer-journal-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A first run that acknowledged `n` decisions while the bus was down, then stopped. */
async function runLeavingUnpublished(dir: string, n: number): Promise<void> {
  const { bus, state } = switchableBus();
  state.down = true;
  const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir, recoveryIntervalMs: 60_000 });
  writer.start();
  for (let i = 0; i < n; i++) writer.recordDecision(decision(i));
  expect(writer.stats().journalBytes).toBeGreaterThan(0);
  await writer.close();
}

describe("durability 'local': the journal", () => {
  it('the next run resends what the last one acknowledged but never published, without being asked to flush', async () => {
    const dir = journalDir();
    await runLeavingUnpublished(dir, 3);
    const { bus, state } = switchableBus();
    const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir, flushIntervalMs: 60_000 });
    writer.start();
    expect(writer.stats()).toMatchObject({ recovered: 3, durability: 'local', journalError: undefined });
    // Scheduled at once by start(), not after the 60 s flush interval.
    await pollUntil(() => state.units.length === 3, { timeoutMs: 5000, message: 'the recovered events on the bus' });
    expect(state.units).toEqual(['u-0', 'u-1', 'u-2']);
    await writer.close();
  });

  it('recovered events go out before events recorded earlier in this run', async () => {
    const dir = journalDir();
    await runLeavingUnpublished(dir, 2);
    const { bus, state } = switchableBus();
    const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir, flushIntervalMs: 60_000 });
    writer.recordDecision(decision(7)); // before start(): only in memory
    writer.start();
    await writer.flush();
    expect(state.units).toEqual(['u-0', 'u-1', 'u-7']);
    await writer.close();
  });

  it('events the store confirmed are not resent by the next run', async () => {
    const dir = journalDir();
    const { bus, state } = switchableBus();
    const held = new Set<string>();
    const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir, stored: async (ids) => ids.filter((id) => held.has(id)) });
    writer.start();
    for (let i = 0; i < 4; i++) writer.recordDecision(decision(i));
    await writer.flush();
    expect(state.units).toEqual(['u-0', 'u-1', 'u-2', 'u-3']);
    // The store holds them now; they are too recent for the periodic look, so only close()'s
    // last look, whatever their age, can clear them from the journal.
    for (const id of state.ids) held.add(id);
    await writer.close();

    const next = switchableBus();
    const again = new AsyncLearningWriter({ bus: next.bus, durability: 'local', journalDir: dir });
    again.start();
    expect(again.stats().recovered).toBe(0);
    await again.flush();
    expect(next.state.units).toEqual([]);
    await again.close();
  });

  it('confirm() from the in-process projector clears the journal too, with no outbox', async () => {
    const dir = journalDir();
    const { bus, state } = switchableBus();
    const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir });
    writer.start();
    for (let i = 0; i < 3; i++) writer.recordDecision(decision(i));
    await writer.flush();
    writer.confirm(state.ids.map((id) => ({ id })));
    await writer.close();

    const again = new AsyncLearningWriter({ bus: switchableBus().bus, durability: 'local', journalDir: dir });
    again.start();
    expect(again.stats().recovered).toBe(0);
    await again.close();
  });

  it('events published but never confirmed are resent by the next run (the store is idempotent)', async () => {
    const dir = journalDir();
    const { bus } = switchableBus();
    const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir, stored: async () => [] });
    writer.start();
    for (let i = 0; i < 2; i++) writer.recordDecision(decision(i));
    await writer.close();

    const next = switchableBus();
    const again = new AsyncLearningWriter({ bus: next.bus, durability: 'local', journalDir: dir });
    again.start();
    await again.flush();
    expect(next.state.units).toEqual(['u-0', 'u-1']);
    await again.close();
  });

  it('close() releases the journal (its lock file is gone); a closed writer is not started again', async () => {
    const dir = journalDir();
    const { bus } = switchableBus();
    const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir });
    writer.start();
    expect(existsSync(join(dir, 'apprentice.lock'))).toBe(true);
    await writer.close();
    expect(existsSync(join(dir, 'apprentice.lock'))).toBe(false);
    writer.start();
    expect(existsSync(join(dir, 'apprentice.lock'))).toBe(false);
  });

  it('a journal held by another live process: the writer runs in memory and says why', async () => {
    const dir = journalDir();
    // The lock of a live process that is not this one: the parent of this test process.
    writeFileSync(join(dir, 'apprentice.lock'), String(process.ppid));
    const { bus, state } = switchableBus();
    const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir });
    writer.start();
    expect(writer.stats()).toMatchObject({ durability: 'local', journalBytes: 0, recovered: 0 });
    expect(writer.stats().journalError).toMatch(`the decision journal in ${dir} is in use by process ${process.ppid}`);
    writer.recordDecision(decision(0));
    await writer.close();
    expect(state.units).toEqual(['u-0']);
  });

  it('a journal write that fails is counted, and the event is still published', async () => {
    const dir = journalDir();
    const { bus, state } = switchableBus();
    const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir });
    writer.start();
    // The journal cannot encode a BigInt (JSON.stringify throws): its write fails.
    const unwritable = { id: 'evt-bigint', type: 'DecisionMade', stream: 'decision-x', data: { unitId: 'u-big', n: 1n }, metadata: {} } as unknown as NewEvent;
    writer.record(unwritable);
    writer.recordDecision(decision(1));
    expect(writer.stats().journalErrors).toBe(1);
    await writer.flush();
    expect(state.units).toEqual(['u-big', 'u-1']);
    await writer.close();
  });

  it('start() twice opens the journal once: nothing recovered twice, one resend', async () => {
    const dir = journalDir();
    await runLeavingUnpublished(dir, 2);
    const { bus, state } = switchableBus();
    const writer = new AsyncLearningWriter({ bus, durability: 'local', journalDir: dir });
    writer.start();
    writer.start();
    await writer.flush();
    expect(writer.stats().recovered).toBe(2);
    expect(state.units).toEqual(['u-0', 'u-1']);
    await writer.close();
  });
});

describe('start() and the spool', () => {
  function heldSpool(batches: NewEvent[][]) {
    let drains = 0;
    const spool: Spool = {
      append: async (events) => void batches.push([...events]),
      size: async (): Promise<SpoolSize> => ({ batches: batches.length, events: batches.reduce((n, b) => n + b.length, 0), bytes: 0 }),
      drain: async (publish): Promise<DrainResult> => {
        drains++;
        let events = 0;
        let n = 0;
        while (batches.length > 0) {
          await publish(batches[0]!);
          events += batches.shift()!.length;
          n++;
        }
        return { batches: n, events, skipped: 0 };
      },
    };
    return { spool, drains: () => drains };
  }

  const event = (i: number): NewEvent => ({ id: `e-${i}`, type: 'DecisionMade', stream: `decision-${i}`, data: decision(i), metadata: {} }) as NewEvent;

  it('start() replays what a previous run left in the spool', async () => {
    const { bus, state } = switchableBus();
    const { spool } = heldSpool([[event(0), event(1)], [event(2)]]);
    const writer = new AsyncLearningWriter({ bus, spool });
    writer.start();
    await pollUntil(() => state.units.length === 3, { timeoutMs: 5000, message: 'the spooled events replayed' });
    expect(state.units).toEqual(['u-0', 'u-1', 'u-2']);
    expect(writer.stats()).toMatchObject({ replayed: 3, published: 3 });
    await writer.close();
  });

  it('a writer closed before start() does not replay the spool', async () => {
    const { bus, state } = switchableBus();
    const { spool, drains } = heldSpool([[event(0)]]);
    const writer = new AsyncLearningWriter({ bus, spool });
    await writer.close();
    writer.start();
    await new Promise((r) => setTimeout(r, 50));
    expect(drains()).toBe(0);
    expect(state.units).toEqual([]);
  });
});
