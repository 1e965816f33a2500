import { describe, expect, it } from 'vitest';
import { EventType, type NewEvent } from '../../core/events.js';
import { createMemoryBus } from '../../log/bus/memory-bus.js';
import { AsyncLearningWriter } from '../../decisions/async-learning-writer.js';
import { DecisionEngine } from '../../decisions/decision-engine.js';
import { parseAgentDefinition } from '../../decisions/agents/agent-definition.js';
import type { ServingModel } from '../registry/serving-models.js';
import type { ModelVersion } from '../registry/model-registry.js';
import { ShadowLearner, shadowLearnerStats } from './shadow-learner.js';
import { ShadowRunner } from './shadow-runner.js';
import type { ShadowResultData } from './shadow-result.js';

const def = parseAgentDefinition({
  name: 'code-reviewer',
  kind: 'classification',
  labels: ['approve', 'reject'],
  features: [{ name: 'files', type: 'numeric' }],
});

const version = { agent: 'code-reviewer', version: 3 } as ModelVersion;

function fakeModel(predict: (f: Readonly<Record<string, unknown>>) => unknown): ServingModel & { calls: number } {
  const m = {
    calls: 0,
    format: 'learner' as const,
    task: 'classification' as const,
    specHash: 'x',
    version,
    predict: async (f: Readonly<Record<string, unknown>>) => {
      m.calls++;
      return (await predict(f)) as string;
    },
    close: async () => undefined,
  };
  return m;
}

function setup(model: ServingModel) {
  const events: NewEvent[] = [];
  const writer = new AsyncLearningWriter({ bus: createMemoryBus(), onRecord: (e) => events.push(e) });
  const results: ShadowResultData[] = [];
  const runner = new ShadowRunner({ models: { shadow: () => model }, sink: writer, onResult: (r) => results.push(r) });
  const engine = new DecisionEngine({ writer, agents: () => def, shadow: (j) => void runner.submit(j) });
  return { events, writer, runner, engine, results };
}

class Reviewer {
  verdicts = 0;
  decide(pr: { id: string; files: number }): string {
    this.verdicts++;
    return pr.files > 10 ? 'reject' : 'approve';
  }
  async execute_task(pr: { id: string; files: number }): Promise<{ verdict: string }> {
    return { verdict: pr.files > 10 ? 'reject' : 'approve' };
  }
  explode(): never {
    throw new Error('not intercepted');
  }
}

describe('ShadowLearner', () => {
  it('returns the agent’s own answer synchronously while a throwing model runs only after the call', async () => {
    const model = fakeModel(() => {
      throw new Error('model exploded');
    });
    const { runner, engine, events, results, writer } = setup(model);
    const agent = new Reviewer();
    const wrapped = ShadowLearner('code-reviewer', agent, { engine });
    const out = wrapped.decide({ id: 'pr-1', files: 12 });
    expect(out).toBe('reject'); // a plain value, not a promise
    expect(model.calls).toBe(0); // the model has not run on the caller's time
    expect(agent.verdicts).toBe(1);
    expect(events.filter((e) => e.type === EventType.DecisionMade)).toHaveLength(1);
    await runner.idle();
    expect(model.calls).toBe(1);
    expect(results).toEqual([expect.objectContaining({ decisionId: expect.any(String), error: 'model exploded', agree: false, rulesValue: 'reject' })]);
    expect(runner.stats).toMatchObject({ submitted: 1, failed: 1, dropped: 0 });
    await writer.close();
  });

  it('passes an async agent’s promise through unchanged while the model never answers', async () => {
    const model = fakeModel(() => new Promise(() => undefined)); // a model that hangs forever
    const { runner, engine, results, writer } = setup(model);
    const agent = new Reviewer();
    const wrapped = ShadowLearner('code-reviewer', agent, { engine });
    const p = wrapped.execute_task({ id: 'pr-2', files: 1 });
    expect(p).toBeInstanceOf(Promise);
    await expect(p).resolves.toEqual({ verdict: 'approve' });
    expect(results).toHaveLength(0);
    expect(runner.stats.inFlight).toBeLessThanOrEqual(1);
    await writer.close();
  });

  it('rethrows the agent’s own exception (same object) and records nothing for it', async () => {
    const model = fakeModel(() => 'approve');
    const { engine, events, writer } = setup(model);
    const boom = new Error('agent failed');
    const agent = {
      decide(): string {
        throw boom;
      },
      async execute_task(): Promise<string> {
        throw boom;
      },
    };
    const wrapped = ShadowLearner('code-reviewer', agent, { engine });
    expect(() => wrapped.decide()).toThrow(boom);
    await expect(wrapped.execute_task()).rejects.toBe(boom);
    expect(events).toHaveLength(0);
    expect(shadowLearnerStats(wrapped)).toMatchObject({ calls: 2, agentErrors: 2, recorded: 0 });
    await writer.close();
  });

  it('records agreement when the model agrees, and leaves other members untouched', async () => {
    const model = fakeModel((f) => ((f.files as number) > 10 ? 'reject' : 'approve'));
    const { runner, engine, results, writer } = setup(model);
    const agent = new Reviewer();
    const wrapped = ShadowLearner('code-reviewer', agent, { engine });
    for (let i = 0; i < 5; i++) wrapped.decide({ id: `pr-${i}`, files: i * 5 });
    expect(() => wrapped.explode()).toThrow('not intercepted');
    expect(wrapped.verdicts).toBe(5);
    await runner.idle();
    expect(results).toHaveLength(5);
    expect(results.every((r) => r.agree && r.modelVersion === 3)).toBe(true);
    await writer.close();
  });

  it('a recording failure (bad unit id) never reaches the caller', async () => {
    const model = fakeModel(() => 'approve');
    const { engine, writer } = setup(model);
    const errors: unknown[] = [];
    const wrapped = ShadowLearner('code-reviewer', new Reviewer(), { engine, unitId: () => '', onRecordError: (e) => errors.push(e) });
    expect(wrapped.decide({ id: 'x', files: 1 })).toBe('approve');
    expect(errors).toHaveLength(1);
    await writer.close();
  });

  it('drops shadow jobs beyond the queue bound and counts them', async () => {
    const model = fakeModel(() => 'approve');
    const writer = new AsyncLearningWriter({ bus: createMemoryBus() });
    const runner = new ShadowRunner({ models: { shadow: () => model }, sink: writer, maxQueue: 3 });
    const engine = new DecisionEngine({ writer, agents: () => def, shadow: (j) => void runner.submit(j) });
    const wrapped = ShadowLearner('code-reviewer', new Reviewer(), { engine });
    for (let i = 0; i < 10; i++) wrapped.decide({ id: `pr-${i}`, files: 1 });
    expect(runner.stats).toMatchObject({ submitted: 10, dropped: 7 });
    await runner.idle();
    expect(runner.stats.completed).toBe(3);
    await writer.close();
  });
});
