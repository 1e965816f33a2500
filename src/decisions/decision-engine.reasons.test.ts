import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DecisionData, NewEvent } from '../core/index.js';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import { parseAgentDefinition } from './agents/agent-definition.js';
import { AsyncLearningWriter } from './async-learning-writer.js';
import { DecisionEngine, DecisionReason, type DecisionEngineOptions } from './decision-engine.js';
import type { DecisionGuard, DecisionModel, GuardOutcome } from './model-seams.js';

// Every fallback reason of the decision engine, each at its boundary, with the decision as
// returned and as recorded. Time is fake (performance.now included): a "slow" model advances
// the clock while it predicts.

const def = parseAgentDefinition({
  name: 'code-reviewer',
  kind: 'classification',
  labels: ['approve', 'reject'],
  features: [{ name: 'files', type: 'numeric' }],
});
const ML = { variant: 'ml', propensity: 0.25 } as const;

/** A model that answers `answer` after `ms` of fake time, synchronously and/or asynchronously. */
function model(o: { ms?: number; answer?: unknown; sync?: boolean; asyncAnswer?: () => Promise<unknown> }): DecisionModel {
  const answer = (): unknown => {
    if (o.ms) vi.advanceTimersByTime(o.ms);
    return o.answer ?? 'approve';
  };
  return {
    version: { version: 7 },
    ...(o.sync === false ? {} : { predictSync: answer }),
    predict: o.asyncAnswer ?? (async () => answer()),
  };
}

/** Runs the prediction synchronously like ModelGuard does, and serves it unless `open`. */
function passThroughGuard(open = false): DecisionGuard & { calls: number } {
  const g = {
    calls: 0,
    async execute<T>(fn: (c: { readonly signal: AbortSignal }) => T | PromiseLike<T>): Promise<GuardOutcome<T>> {
      if (open) return { ok: false, reason: 'BREAKER_OPEN' };
      g.calls++;
      try {
        return { ok: true, value: await fn({ signal: new AbortController().signal }) };
      } catch {
        return { ok: false, reason: 'MODEL_ERROR' };
      }
    },
  };
  return g;
}

function setup(options: Partial<DecisionEngineOptions> & { serving?: DecisionModel } = {}) {
  const recorded: NewEvent[] = [];
  const writer = new AsyncLearningWriter({ bus: createMemoryBus(), onRecord: (e) => recorded.push(e) });
  const { serving, ...rest } = options;
  const engine = new DecisionEngine({
    writer,
    agents: () => def,
    router: () => ML,
    models: { serving: () => serving },
    ...rest,
  });
  const stored = (): DecisionData => recorded.at(-1)!.data as DecisionData;
  return { engine, writer, stored };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('synchronous decide: the 20 ms default budget', () => {
  it('a synchronous model over its budget is not served: 21 ms is a TIMEOUT with the rules answer', () => {
    const { engine, stored } = setup({ serving: model({ ms: 21 }) });
    const d = engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject');
    expect(d).toMatchObject({ value: 'reject', source: 'deterministic', reason: DecisionReason.TIMEOUT, modelVersion: 7, variant: 'ml', propensity: 0.25 });
    expect(stored()).toMatchObject({ value: 'reject', deterministic: 'reject', source: 'deterministic', reason: 'TIMEOUT' });
  });

  it('a synchronous model at exactly its 20 ms budget is served', () => {
    const { engine } = setup({ serving: model({ ms: 20 }) });
    expect(engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject')).toMatchObject({ value: 'approve', source: 'ml', reason: 'MODEL', modelVersion: 7 });
  });

  it('a synchronous model over its budget behind a guard that served it is still a TIMEOUT', () => {
    const guard = passThroughGuard();
    const { engine } = setup({ serving: model({ ms: 21 }), guard: () => guard });
    expect(engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject')).toMatchObject({ value: 'reject', source: 'deterministic', reason: 'TIMEOUT' });
    expect(guard.calls).toBe(1);
  });

  it("the agent's timeBudgetMs replaces the default: 50 ms allowed, 51 ms a TIMEOUT", () => {
    const slowDef = { ...def, timeBudgetMs: 50 };
    expect(setup({ serving: model({ ms: 50 }), agents: () => slowDef }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject').reason).toBe('MODEL');
    expect(setup({ serving: model({ ms: 51 }), agents: () => slowDef }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject').reason).toBe('TIMEOUT');
  });

  it('a throwing model and an answer outside the labels are MODEL_ERROR, guarded or not', () => {
    const throwing: DecisionModel = { version: { version: 7 }, predictSync: () => { throw new Error('boom'); }, predict: () => Promise.reject(new Error('boom')) };
    for (const guard of [undefined, () => passThroughGuard()]) {
      const g = guard ? { guard } : {};
      expect(setup({ serving: throwing, ...g }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject')).toMatchObject({ value: 'reject', source: 'deterministic', reason: 'MODEL_ERROR' });
      expect(setup({ serving: model({ answer: 'maybe' }), ...g }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject').reason).toBe('MODEL_ERROR');
    }
  });

  it('an open breaker is BREAKER_OPEN and the model is not called', () => {
    const predictSync = vi.fn(() => 'approve');
    const { engine } = setup({ serving: { version: { version: 7 }, predictSync, predict: async () => 'approve' }, guard: () => passThroughGuard(true) });
    expect(engine.decide('code-reviewer', 'u', { files: 1 }, 'reject')).toMatchObject({ value: 'reject', source: 'deterministic', reason: 'BREAKER_OPEN' });
    expect(predictSync).not.toHaveBeenCalled();
  });

  it('an async-only model answers ASYNC_MODEL from decide; no model NO_MODEL; ml switched off ML_DISABLED', () => {
    expect(setup({ serving: model({ sync: false }) }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject')).toMatchObject({ reason: 'ASYNC_MODEL', source: 'deterministic', modelVersion: 7 });
    const none = setup().engine.decide('code-reviewer', 'u', { files: 1 }, 'reject');
    expect(none).toMatchObject({ reason: 'NO_MODEL', source: 'deterministic', variant: 'ml' });
    expect(none.modelVersion).toBeUndefined();
    expect(setup({ serving: model({}), mlEnabled: false }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject').reason).toBe('ML_DISABLED');
    expect(setup({ serving: model({}), mlEnabled: () => false }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject').reason).toBe('ML_DISABLED');
  });

  it('a unit on the rules arm is RULES, and the model is never asked', () => {
    const predictSync = vi.fn(() => 'approve');
    const { engine, stored } = setup({ serving: { version: { version: 7 }, predictSync, predict: async () => 'approve' }, router: () => ({ variant: 'deterministic', propensity: 0.75 }) });
    const d = engine.decide('code-reviewer', 'u', { files: 1 }, 'reject');
    expect(d).toMatchObject({ value: 'reject', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 0.75 });
    expect(d.modelVersion).toBeUndefined();
    expect(stored()).toMatchObject({ reason: 'RULES', variant: 'deterministic', propensity: 0.75 });
    expect(predictSync).not.toHaveBeenCalled();
  });

  it('without a router every unit is on the rules with propensity 1', () => {
    const { engine } = setup({ serving: model({}), router: undefined });
    expect(engine.decide('code-reviewer', 'u', { files: 1 }, 'reject')).toMatchObject({ reason: 'RULES', variant: 'deterministic', propensity: 1 });
  });
});

describe('decideAsync: asynchronous models under the budget', () => {
  it('an unguarded asynchronous model that rejects is MODEL_ERROR, not TIMEOUT', async () => {
    const { engine, stored } = setup({ serving: model({ sync: false, asyncAnswer: () => Promise.reject(new Error('onnx failed')) }) });
    const d = await engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject');
    expect(d).toMatchObject({ value: 'reject', source: 'deterministic', reason: 'MODEL_ERROR', modelVersion: 7 });
    expect(stored().reason).toBe('MODEL_ERROR');
  });

  it('an unguarded asynchronous model answering outside the labels is MODEL_ERROR', async () => {
    const { engine } = setup({ serving: model({ sync: false, asyncAnswer: async () => 'maybe' }) });
    expect((await engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject')).reason).toBe('MODEL_ERROR');
  });

  it('an unguarded asynchronous model still pending at 20 ms is a TIMEOUT; one answering within it is served', async () => {
    const never = setup({ serving: model({ sync: false, asyncAnswer: () => new Promise(() => undefined) }) });
    const pending = never.engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject');
    await vi.advanceTimersByTimeAsync(20);
    expect(await pending).toMatchObject({ value: 'reject', source: 'deterministic', reason: 'TIMEOUT' });

    const quick = setup({ serving: model({ sync: false, asyncAnswer: () => new Promise((r) => setTimeout(() => r('approve'), 19)) }) });
    const served = quick.engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject');
    await vi.advanceTimersByTimeAsync(19);
    expect(await served).toMatchObject({ value: 'approve', source: 'ml', reason: 'MODEL', modelVersion: 7 });
  });

  it("a guarded asynchronous model gets the guard's reason", async () => {
    const open = setup({ serving: model({ sync: false }), guard: () => passThroughGuard(true) });
    expect(await open.engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject')).toMatchObject({ reason: 'BREAKER_OPEN', source: 'deterministic' });
    const failing = setup({ serving: model({ sync: false, asyncAnswer: () => Promise.reject(new Error('x')) }), guard: () => passThroughGuard() });
    expect((await failing.engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject')).reason).toBe('MODEL_ERROR');
    const served = setup({ serving: model({ sync: false }), guard: () => passThroughGuard() });
    expect(await served.engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject')).toMatchObject({ value: 'approve', source: 'ml', reason: 'MODEL' });
  });

  it('decideAsync serves a synchronous model on the synchronous path (over budget is a TIMEOUT)', async () => {
    expect((await setup({ serving: model({ ms: 21 }) }).engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject')).reason).toBe('TIMEOUT');
    expect((await setup({ serving: model({}), mlEnabled: false }).engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject')).reason).toBe('ML_DISABLED');
  });
});
