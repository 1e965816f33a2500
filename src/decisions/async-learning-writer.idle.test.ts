import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LearningBus } from '../log/bus/learning-bus.js';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import { AsyncLearningWriter } from './async-learning-writer.js';

// Idle cost (issue 15): a writer with nothing unconfirmed does not ask the bus for its epoch on
// every tick: once, to learn it, and again only when there are entries to look after.

const decision = (i: number) =>
  ({ agent: 'triage', unitId: `u-${i}`, value: 'low', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 0 }) as const;

function countingBus() {
  const inner = createMemoryBus();
  const state = { epochs: 0 };
  const bus: LearningBus = {
    ...inner,
    epoch: async () => {
      state.epochs++;
      return 'e1';
    },
  };
  return { bus, state };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('an idle writer', () => {
  it('that never published asks the bus for its epoch once, at the first tick, then not again', async () => {
    const { bus, state } = countingBus();
    const writer = new AsyncLearningWriter({ bus, stored: async () => [] });
    writer.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(state.epochs).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.epochs).toBe(1);
    await writer.close();
  });

  it('whose events are all confirmed stops asking; new entries bring the look back', async () => {
    const { bus, state } = countingBus();
    const writer = new AsyncLearningWriter({ bus, stored: async (ids) => ids });
    writer.start();
    writer.recordDecision(decision(0));
    await writer.flush();
    await vi.advanceTimersByTimeAsync(1000); // the store confirms the event at the 1 s look
    expect(writer.stats().unconfirmed).toBe(0);
    const asked = state.epochs;
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.epochs).toBe(asked);
    writer.recordDecision(decision(1));
    await writer.flush();
    await vi.advanceTimersByTimeAsync(500);
    expect(state.epochs).toBe(asked + 1);
    await writer.close();
  });
});
