/**
 * Shadow mode must not slow the decision path: decide() p99 with shadow on vs off while the
 * worker pool is busy predicting (DESIGN.md §6, issue 3: ratio <= 1.05).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryBus } from '../src/log/bus/memory-bus.js';
import { parseAgentDefinition } from '../src/decisions/agents/agent-definition.js';
import { AsyncLearningWriter } from '../src/decisions/async-learning-writer.js';
import { DecisionEngine } from '../src/decisions/decision-engine.js';
import { ModelRegistry } from '../src/learning/registry/model-registry.js';
import { ServingModels } from '../src/learning/registry/serving-models.js';
import { createWorkerPool } from '../src/safety/resilience/index.js';
import { ShadowRunner, shadowWorkerModule } from '../src/learning/shadow/shadow-runner.js';
import { AgentTrainer } from '../src/learning/training/agent-trainer.js';
import { summarize, type BenchSuite, type Figure } from './harness.js';

const nullBus = () => ({ ...createMemoryBus(), publish: async () => undefined });

const def = parseAgentDefinition({
  name: 'deployment-specialist',
  kind: 'classification',
  labels: ['standard', 'canary', 'stage-first'],
  features: [
    { name: 'linesChanged', type: 'numeric' },
    { name: 'filesTouched', type: 'numeric' },
    { name: 'friday', type: 'boolean' },
    { name: 'service', type: 'categorical', vocabulary: ['api', 'ui', 'core'] },
  ],
});

async function shadowOverhead(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-shadow-bench-'));
  const trainer = new AgentTrainer(def);
  for (let i = 0; i < 500; i++) {
    const lines = (i * 37) % 800;
    trainer.learn({ features: { linesChanged: lines, filesTouched: i % 9, friday: i % 5 === 0, service: ['api', 'ui', 'core'][i % 3]! }, deterministic: 'canary', served: 'canary', label: lines > 500 ? 'stage-first' : lines > 200 ? 'canary' : 'standard' });
  }
  const registry = new ModelRegistry({ dir });
  const v = await registry.register(def.name, { format: 'learner', artifact: trainer.artifact() });
  registry.setAlias(def.name, 'shadow', v.version);
  const serving = new ServingModels(registry);
  await serving.refreshAll();
  const pool = createWorkerPool({ handlerModule: shadowWorkerModule(), size: 1, maxQueue: 64, totalHeapMb: 256, cpuBudget: 1 });
  const writer = new AsyncLearningWriter({ bus: nullBus(), maxBuffer: 10_000_000 });
  const runner = new ShadowRunner({ models: serving, sink: writer, pool, pathOf: (x) => registry.pathOf(x), maxQueue: 5000 });
  const base = { writer, agents: () => def, models: serving };
  const off = new DecisionEngine(base);
  const on = new DecisionEngine({ ...base, shadow: (j) => void runner.submit(j) });
  const ctx = { linesChanged: 120, filesTouched: 4, friday: false, service: 'api', title: 'bump deps' };

  const blocks = 200;
  const perBlock = 500;
  const tOn = new Float64Array(blocks * perBlock);
  const tOff = new Float64Array(blocks * perBlock);
  let k = 0;
  const time = (engine: DecisionEngine, out: Float64Array, at: number, i: number): void => {
    const t0 = process.hrtime.bigint();
    engine.decide(def.name, `deploy-${i}`, ctx, 'canary');
    out[at] = Number(process.hrtime.bigint() - t0) / 1000;
  };
  // Warm-up, then alternate blocks so drift affects both sides alike; yield between blocks so
  // the runner hands batches to the (busy) pool as it would between requests.
  for (let i = 0; i < 20_000; i++) (i % 2 ? on : off).decide(def.name, `w-${i}`, ctx, 'canary');
  await new Promise((r) => setImmediate(r));
  for (let b = 0; b < blocks; b++) {
    const first = b % 2 === 0;
    for (let i = 0; i < perBlock; i++) time(first ? on : off, first ? tOn : tOff, b * perBlock + i, k++);
    for (let i = 0; i < perBlock; i++) time(first ? off : on, first ? tOff : tOn, b * perBlock + i, k++);
    await new Promise((r) => setImmediate(r));
  }
  const sOn = summarize(tOn);
  const sOff = summarize(tOff);
  const busy = { ...pool.stats };
  const shadowStats = { ...runner.stats };
  await runner.close();
  await pool.close();
  await serving.close();
  await writer.close();
  rmSync(dir, { recursive: true, force: true });
  const ratio = sOn.p99 / sOff.p99;
  return [
    {
      name: 'shadow-decide-p99-ratio',
      value: ratio,
      unit: 'x',
      target: '<= 1.05',
      ok: ratio <= 1.05,
      baseline: sOff.p99,
      ratio,
      note: `p99 on ${sOn.p99.toFixed(2)} µs / off ${sOff.p99.toFixed(2)} µs; p50 on ${sOn.p50.toFixed(2)} / off ${sOff.p50.toFixed(2)} µs; shadow submitted ${shadowStats.submitted}, completed ${shadowStats.completed}, dropped ${shadowStats.dropped}; pool completed ${busy.completed}, dropped ${busy.dropped}`,
    },
  ];
}

const suite: BenchSuite = {
  name: 'shadow',
  figures: ['shadow-decide-p99-ratio'],
  async run() {
    return shadowOverhead();
  },
};
export default suite;
