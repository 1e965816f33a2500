import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EventType, type NewEvent, type StoredEvent } from '../../core/events.js';
import { createMemoryBus } from '../../log/bus/memory-bus.js';
import { AsyncLearningWriter } from '../../decisions/async-learning-writer.js';
import { DecisionEngine } from '../../decisions/decision-engine.js';
import { parseAgentDefinition } from '../../decisions/agents/agent-definition.js';
import { AgentTrainer } from '../training/agent-trainer.js';
import { createWorkerPool, createModelGuard } from '../../safety/resilience/index.js';
import { loadOnnxModel } from '../learners/index.js';
import { ShadowRunner, shadowWorkerModule } from '../shadow/shadow-runner.js';
import type { ShadowResultData } from '../shadow/shadow-result.js';
import { ModelRegistry } from './model-registry.js';
import { ServingModels } from './serving-models.js';
import expected from '../learners/testing/fixtures/expected.json' with { type: 'json' };

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'apprentice-registry-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const def = parseAgentDefinition({
  name: 'debugger',
  kind: 'classification',
  labels: ['flaky', 'bug'],
  features: [{ name: 'retries', type: 'numeric' }, { name: 'ci', type: 'boolean' }],
});

/** A trained artifact: retries > 1 means flaky. */
function trainedArtifact(rows = 300) {
  const t = new AgentTrainer(def);
  for (let i = 0; i < rows; i++) {
    const retries = i % 4;
    t.learn({ features: { retries, ci: i % 2 === 0 }, deterministic: 'bug', served: 'bug', label: retries > 1 ? 'flaky' : 'bug' });
  }
  return t.artifact();
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

const asStored = (events: NewEvent[]): StoredEvent[] => events.map((e, i) => ({ ...e, position: BigInt(i + 1), transactionId: 1n }));

describe('ModelRegistry', () => {
  it('keeps immutable versions, alias history and rollbacks, and rebuilds from its events', async () => {
    const events: NewEvent[] = [];
    const dir = tempDir();
    const registry = new ModelRegistry({ dir, sink: { record: (e) => events.push(e) } });
    const artifact = trainedArtifact();
    const v1 = await registry.register('debugger', { format: 'learner', artifact }, { metrics: { 'model.accuracy': 0.9 }, lineage: { fromCursor: '1-1', toCursor: '1-9', samples: 300 } });
    const v2 = await registry.register('debugger', { format: 'learner', artifact });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(v1.lineage).toMatchObject({ specHash: v1.specHash, fromCursor: '1-1', toCursor: '1-9', samples: 300 });
    registry.setAlias('debugger', 'production', 1, { actor: 'alice', reason: 'first' });
    registry.setAlias('debugger', 'production', 2, { actor: 'controller', reason: 'promote' });
    const back = registry.setAlias('debugger', 'production', 1, { actor: 'bob', reason: 'accuracy dropped' });
    expect(back).toMatchObject({ from: 2, to: 1, rollback: true, actor: 'bob' });
    expect(registry.aliasHistory('debugger', 'production').map((m) => [m.from, m.to, m.rollback])).toEqual([
      [null, 1, false],
      [1, 2, false],
      [2, 1, true],
    ]);
    expect(registry.resolve('models:/debugger@production')?.version).toBe(1);
    expect(() => registry.setAlias('debugger', 'production', 9)).toThrow(/no version 9/);
    expect(events.map((e) => e.type)).toEqual([
      EventType.ModelVersionRegistered,
      EventType.ModelVersionRegistered,
      EventType.ModelAliasMoved,
      EventType.ModelAliasMoved,
      EventType.ModelAliasMoved,
    ]);
    expect(events[4]!.metadata).toMatchObject({ actor: 'bob', reason: 'accuracy dropped', before: 2, after: 1 });

    const rebuilt = new ModelRegistry({ dir });
    for (const e of asStored(events)) rebuilt.apply(e);
    expect(rebuilt.aliases('debugger')).toEqual({ production: 1 });
    expect(rebuilt.aliasHistory('debugger')).toHaveLength(3);
    const m = await rebuilt.load('models:/debugger@production');
    expect(m.predictSync!({ retries: 3, ci: true })).toBe('flaky');
    expect(m.predictSync!({ retries: 0, ci: true })).toBe('bug');
  });

  it('refuses a corrupt or swapped artifact (INTEGRITY_VIOLATION) and the agent keeps serving its rules', async () => {
    const dir = tempDir();
    const registry = new ModelRegistry({ dir });
    const v1 = await registry.register('debugger', { format: 'learner', artifact: trainedArtifact() });
    const v2 = await registry.register('debugger', { format: 'learner', artifact: trainedArtifact(400) });
    // Swap v2's file for v1's: a valid model, but not the registered one.
    writeFileSync(registry.pathOf(v2), readFileSync(registry.pathOf(v1)));
    const swapped = await rejection(registry.load({ agent: 'debugger', version: 2 }));
    expect(swapped.code).toBe('INTEGRITY_VIOLATION');
    expect(swapped.message).toMatch(/does not match the registered/);
    // Corrupt v1 in place.
    writeFileSync(registry.pathOf(v1), '{"format":"learner", garbage');
    expect((await rejection(registry.load({ agent: 'debugger', version: 1 }))).code).toBe('INTEGRITY_VIOLATION');

    const errors: unknown[] = [];
    const serving = new ServingModels(registry, { onLoadError: (_a, _al, e) => errors.push(e) });
    registry.setAlias('debugger', 'production', 1, { reason: 'try' });
    await serving.settled();
    expect(serving.serving('debugger')).toBeUndefined();
    expect(errors).toHaveLength(1);
    const writer = new AsyncLearningWriter({ bus: createMemoryBus() });
    const engine = new DecisionEngine({ writer, agents: () => def, models: serving, router: () => ({ variant: 'ml', propensity: 0.5 }) });
    const d = engine.decide('debugger', 'task-1', { retries: 3, ci: true }, 'bug');
    expect(d).toMatchObject({ value: 'bug', source: 'deterministic', reason: 'NO_MODEL', variant: 'ml', propensity: 0.5 });
    await serving.close();
    await writer.close();
  });

  it('a malformed artifact with a matching hash is MODEL_INVALID', async () => {
    const dir = tempDir();
    const registry = new ModelRegistry({ dir });
    await expect(registry.register('debugger', { format: 'learner', artifact: { format: 'learner', task: 'classification', encoder: {}, learner: {} } as never })).rejects.toMatchObject({ code: 'MODEL_INVALID' });
  });

  it('serves a registered model on the ml arm behind its guard, and falls back when the breaker is open', async () => {
    const dir = tempDir();
    const registry = new ModelRegistry({ dir });
    const v = await registry.register('debugger', { format: 'learner', artifact: trainedArtifact() });
    const serving = new ServingModels(registry);
    registry.setAlias('debugger', 'canary', v.version);
    await serving.settled();
    const guard = createModelGuard({ agent: 'debugger' });
    const recorded: NewEvent[] = [];
    const writer = new AsyncLearningWriter({ bus: createMemoryBus(), onRecord: (e) => recorded.push(e) });
    const engine = new DecisionEngine({ writer, agents: () => def, models: serving, guard: () => guard, router: () => ({ variant: 'ml', propensity: 0.25 }) });
    const d = engine.decide('debugger', 'task-2', { retries: 3, ci: false, secret: 'x' }, 'bug');
    expect(d).toMatchObject({ value: 'flaky', source: 'ml', reason: 'MODEL', modelVersion: 1, propensity: 0.25 });
    expect(recorded[0]!.data).toMatchObject({ features: { retries: 3, ci: false }, deterministic: 'bug', value: 'flaky', modelVersion: 1 });
    guard.isolate('test');
    expect(engine.decide('debugger', 'task-3', { retries: 3 }, 'bug')).toMatchObject({ value: 'bug', reason: 'BREAKER_OPEN' });
    const off = new DecisionEngine({ writer, agents: () => def, models: serving, mlEnabled: false, router: () => ({ variant: 'ml', propensity: 1 }) });
    expect(off.decide('debugger', 'task-4', { retries: 3 }, 'bug')).toMatchObject({ value: 'bug', reason: 'ML_DISABLED' });
    await serving.close();
    await writer.close();
  });
});

describe('ONNX models in the registry', () => {
  const fixture = fileURLToPath(new URL('../learners/testing/fixtures/linear-regressor.onnx', import.meta.url));
  const featureSpec = [0, 1, 2, 3].map((i) => ({ name: `f${i}`, type: 'numeric' as const, standardize: false }));
  const estimator = parseAgentDefinition({ name: 'task-estimator', kind: 'regression', feedback: 'label', features: featureSpec });

  it('registers an ONNX model, serves it (async) and shadows it in the worker pool matching onnxruntime to 1e-6', async () => {
    const dir = tempDir();
    const registry = new ModelRegistry({ dir });
    const v = await registry.register('task-estimator', { format: 'onnx', bytes: readFileSync(fixture), meta: { task: 'regression', featureSpec } }, { lineage: { source: 'onnx:sklearn' } });
    expect(v).toMatchObject({ format: 'onnx', version: 1 });
    registry.setAlias('task-estimator', 'shadow', 1);
    registry.setAlias('task-estimator', 'canary', 1);
    const serving = new ServingModels(registry);
    await serving.refreshAll();

    const reference = await loadOnnxModel(fixture, { task: 'regression' });
    const truth = (await reference.predictBatch(expected.inputs)) as number[];
    await reference.close();

    const pool = createWorkerPool({ handlerModule: shadowWorkerModule(), size: 1, totalHeapMb: 256, cpuBudget: 1 });
    const results: ShadowResultData[] = [];
    const writer = new AsyncLearningWriter({ bus: createMemoryBus() });
    const runner = new ShadowRunner({ models: serving, sink: writer, pool, pathOf: (x) => registry.pathOf(x), onResult: (r) => results.push(r) });
    const engine = new DecisionEngine({ writer, agents: () => estimator, models: serving, shadow: (j) => void runner.submit(j) });
    const ctx = (x: readonly number[]) => Object.fromEntries(x.map((value, i) => [`f${i}`, value]));
    const decisions = expected.inputs.map((x, i) => engine.decide('task-estimator', `task-${i}`, ctx(x), 5));
    expect(decisions.every((d) => d.value === 5 && d.source === 'deterministic')).toBe(true);
    await runner.idle();
    expect(runner.stats).toMatchObject({ completed: expected.inputs.length, failed: 0, noModel: 0 });
    const byDecision = new Map(results.map((r) => [r.decisionId, r.modelValue as number]));
    decisions.forEach((d, i) => expect(Math.abs(byDecision.get(d.decisionId)! - truth[i]!)).toBeLessThanOrEqual(1e-6));
    decisions.forEach((_, i) => expect(Math.abs(truth[i]! - expected.regressorOutput[i]!)).toBeLessThanOrEqual(1e-6));

    // Served on the ml arm: only the async path can run ONNX.
    const ml = new DecisionEngine({ writer, agents: () => estimator, models: serving, router: () => ({ variant: 'ml', propensity: 1 }) });
    expect(ml.decide('task-estimator', 'task-x', ctx(expected.inputs[0]!), 5)).toMatchObject({ value: 5, reason: 'ASYNC_MODEL' });
    const served = await ml.decideAsync('task-estimator', 'task-y', ctx(expected.inputs[0]!), 5);
    expect(served.source).toBe('ml');
    expect(Math.abs((served.value as number) - truth[0]!)).toBeLessThanOrEqual(1e-6);
    await pool.close();
    await serving.close();
    await writer.close();
  });
});
