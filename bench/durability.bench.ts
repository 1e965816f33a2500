import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Durability } from '../src/log/journal/journal.js';
import { createMemoryBus } from '../src/log/bus/memory-bus.js';
import { AsyncLearningWriter } from '../src/decisions/async-learning-writer.js';
import { DecisionEngine } from '../src/decisions/decision-engine.js';
import { fig, measureAsync, measureSync, type BenchSuite, type Figure } from './harness.js';

// Issue 10: the cost of each durability level, side by side in one run. `record` is the
// synchronous enqueue (plus the journal write for local/fsync); `decide` is the HTTP route's
// path — engine.decide, then `await writer.durable()` (the group commit for fsync) — one
// caller at a time; `throughput` is 64 concurrent callers doing the same for 2 s.
const decisionInput = (i: number) =>
  ({ agent: 'deployment-specialist', unitId: `deploy-${i}`, value: 'canary', deterministic: 'canary', source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 0.01, features: { linesChanged: i % 500 } }) as const;
const nullBus = () => ({ ...createMemoryBus(), publish: async () => undefined });
const LEVELS: readonly Durability[] = ['memory', 'local', 'fsync'];

async function level(durability: Durability): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), `apprentice-bench-durability-`));
  const writer = new AsyncLearningWriter({ bus: nullBus(), maxBuffer: 1_000_000, durability, journalDir: join(dir, 'journal') });
  writer.start();
  const engine = new DecisionEngine({ writer });
  const ctx = { linesChanged: 120, filesTouched: 4, friday: false };
  try {
    const rec = measureSync((i) => writer.recordDecision(decisionInput(i)), { iterations: 20_000, warmup: 5_000 });
    const dec = await measureAsync(
      async (i) => {
        engine.decide('deployment-specialist', `deploy-${i}`, ctx, 'canary');
        await writer.durable();
      },
      { iterations: durability === 'fsync' ? 500 : 20_000, warmup: durability === 'fsync' ? 50 : 2_000 },
    );
    let n = 0;
    const end = Date.now() + 2000;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (Date.now() < end) {
          engine.decide('deployment-specialist', `deploy-${n}`, ctx, 'canary');
          await writer.durable();
          n++;
        }
      }),
    );
    const perSec = n / 2;
    return [
      fig({ name: `durability-${durability}-record-p99`, value: rec.p99, unit: 'µs', target: durability === 'fsync' ? 'measured' : '<= 10', ok: durability === 'fsync' || rec.p99 <= 10, note: `p50 ${rec.p50.toFixed(2)} µs` }),
      fig({ name: `durability-${durability}-decide-p99`, value: dec.p99, unit: 'µs', target: 'measured', ok: true, note: `p50 ${dec.p50.toFixed(1)} µs (decide + durable())` }),
      fig({ name: `durability-${durability}-throughput`, value: perSec, unit: 'decisions/s', target: 'measured', ok: true, note: '64 concurrent callers, 2 s' }),
    ];
  } finally {
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const suite: BenchSuite = {
  name: 'durability',
  figures: LEVELS.flatMap((l) => [`durability-${l}-record-p99`, `durability-${l}-decide-p99`, `durability-${l}-throughput`]),
  async run(only) {
    const out: Figure[] = [];
    for (const l of LEVELS) if (!only || only === 'durability' || only.startsWith(`durability-${l}-`)) out.push(...(await level(l)));
    // Ratios against `memory`, measured in this run.
    const base = (kind: string) => out.find((f) => f.name === `durability-memory-${kind}`)?.value;
    const withRatios = out.map((f) => {
      const kind = f.name.split('-').slice(2).join('-');
      const b = base(kind);
      return b && !f.name.startsWith('durability-memory-') ? { ...f, baseline: b, ratio: f.value / b } : f;
    });
    return only && only !== 'durability' ? withRatios.filter((f) => f.name === only) : withRatios;
  },
};
export default suite;
