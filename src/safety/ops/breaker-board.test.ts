import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewEvent } from '../../core/events.js';
import { createMetrics, type Metrics } from '../../observability/metrics/metrics.js';
import { BreakerBoard } from './breaker-board.js';

const failing = (): never => {
  throw new Error('boom');
};

describe('BreakerBoard', () => {
  let events: NewEvent[];
  let registry: Registry;
  let metrics: Metrics;
  let board: BreakerBoard;
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-01-01T00:00:00Z') });
    events = [];
    registry = new Registry();
    metrics = createMetrics(registry);
    board = new BreakerBoard({
      sink: { record: (e) => events.push(e) },
      metrics,
      guard: { failureThreshold: 2, cooldownMs: 1000, halfOpenTrials: 1 },
    });
  });
  afterEach(() => {
    board.dispose();
    vi.useRealTimers();
  });

  const gauge = async (agent: string, kind: string): Promise<number | undefined> => {
    const m = await registry.getSingleMetric('apprentice_breaker_state')!.get();
    return m.values.find((v) => v.labels.agent === agent && v.labels.kind === kind)?.value;
  };

  it('creates one guard per agent on demand and lists three breakers each', () => {
    const g = board.getGuard('debugger');
    expect(board.getGuard('debugger')).toBe(g);
    board.getGuard('code-reviewer');
    expect(board.list()).toEqual([
      { agent: 'code-reviewer', kind: 'failure', state: 'closed' },
      { agent: 'code-reviewer', kind: 'slow', state: 'closed' },
      { agent: 'code-reviewer', kind: 'accuracy', state: 'closed' },
      { agent: 'debugger', kind: 'failure', state: 'closed' },
      { agent: 'debugger', kind: 'slow', state: 'closed' },
      { agent: 'debugger', kind: 'accuracy', state: 'closed' },
    ]);
  });

  it('forwards guard transitions to BreakerStateChanged events and the breaker metrics', async () => {
    const g = board.getGuard('debugger');
    await g.execute(failing);
    await g.execute(failing);
    expect(g.state.failure).toBe('open');
    const changed = events.filter((e) => e.type === 'BreakerStateChanged');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({
      stream: 'breaker-debugger',
      data: { agent: 'debugger', kind: 'failure', from: 'closed', to: 'open' },
      metadata: { actor: 'system' },
    });
    expect(await gauge('debugger', 'failure')).toBe(2);
    const t = await registry.getSingleMetric('apprentice_breaker_transitions_total')!.get();
    expect(t.values).toContainEqual(
      expect.objectContaining({
        value: 1,
        labels: { agent: 'debugger', kind: 'failure', from: 'closed', to: 'open' },
      }),
    );
    // after the cooldown a scrape shows half_open without any call
    vi.advanceTimersByTime(1001);
    expect(await gauge('debugger', 'failure')).toBe(1);
  });

  it('openAll isolates every agent, audits before/after, and holds new agents open until closeAll', async () => {
    board.getGuard('a');
    board.getGuard('b');
    const r = board.openAll('alice', 'store outage');
    expect(r.agents).toEqual(['a', 'b']);
    expect(r.before.every((b) => b.state === 'closed')).toBe(true);
    expect(r.after.every((b) => b.state === 'isolated')).toBe(true);
    const overridden = events.filter((e) => e.type === 'BreakerOverridden');
    expect(overridden).toHaveLength(1);
    expect(overridden[0]).toMatchObject({
      id: r.eventId,
      stream: 'breakers',
      metadata: { actor: 'alice', reason: 'store outage' },
      data: { action: 'open', agents: ['a', 'b'] },
    });
    expect(await gauge('a', 'slow')).toBe(2);
    expect((await board.getGuard('a').execute(() => 1)).ok).toBe(false);

    expect(board.getGuard('late').state.failure).toBe('isolated');
    const c = board.closeAll('bob', 'fixed');
    expect(c.agents).toEqual(['a', 'b', 'late']);
    expect(board.list().every((b) => b.state === 'closed')).toBe(true);
    expect(board.getGuard('later').state.failure).toBe('closed');
    expect(events.filter((e) => e.type === 'BreakerOverridden').at(-1)).toMatchObject({
      metadata: { actor: 'bob', reason: 'fixed' },
      data: { action: 'close' },
    });
    expect(await gauge('a', 'accuracy')).toBe(0);
  });

  it('opens and closes one agent', () => {
    const r = board.open('x', 'op', 'why');
    expect(r.after.map((b) => b.state)).toEqual(['isolated', 'isolated', 'isolated']);
    expect(events.find((e) => e.type === 'BreakerOverridden')?.stream).toBe('breaker-x');
    board.close('x', 'op', 'ok');
    expect(board.getGuard('x').state).toEqual({ failure: 'closed', slow: 'closed', accuracy: 'closed' });
  });

  it('a throwing listener does not stop the others', async () => {
    const seen: string[] = [];
    board.onStateChange(() => {
      throw new Error('bug');
    });
    board.onStateChange((c) => seen.push(c.to));
    board.open('x', 'op', 'why');
    expect(seen).toEqual(['isolated', 'isolated', 'isolated']);
  });
});
