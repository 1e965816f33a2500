import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Counter, Histogram } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { installLearning, type InstalledLearning } from './install-learning.js';

// The decision metrics as wired by installLearning, asserted by value and label after a
// scripted set of decisions through the real engine: which arm (variant), who answered
// (source), why (reason), and fallbacks counted for the ml arm only.

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };
const samples = async (m: Counter | Histogram): Promise<Sample[]> => (await m.get()).values as Sample[];

describe('decision metrics wiring (installLearning → Prometheus)', () => {
  let dir: string;
  let a: Apprentice;
  let learning: InstalledLearning;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-decision-metrics-'));
    a = await createApprentice({ config: { dataDir: dir } });
    learning = await installLearning(a, {
      pool: false,
      training: false,
      agents: [{ definition: { name: 'code-reviewer', kind: 'classification', labels: ['approve', 'reject'], features: [{ name: 'files', type: 'numeric' }] } }],
      // Units named ml-* are bucketed into the model arm, every other unit into the rules arm.
      router: (_agent, unitId) => (unitId.startsWith('ml-') ? { variant: 'ml', propensity: 0.25 } : { variant: 'deterministic', propensity: 0.75 }),
    });
    for (const unit of ['r-1', 'r-2', 'r-3']) await learning.engine.decideAsync('code-reviewer', unit, { files: 2 }, 'approve');
    // No model is registered: the ml arm falls back to the rules with NO_MODEL.
    for (const unit of ['ml-1', 'ml-2']) await learning.engine.decideAsync('code-reviewer', unit, { files: 2 }, 'approve');
  });

  afterAll(async () => {
    await learning?.stop();
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decisions_total counts each decision once under its own agent, source, variant and reason', async () => {
    const values = (await samples(a.metrics.decisionsTotal)).filter((s) => s.value > 0);
    expect(values).toHaveLength(2);
    expect(values).toEqual(
      expect.arrayContaining([
        { labels: { agent: 'code-reviewer', source: 'deterministic', variant: 'deterministic', reason: 'RULES' }, value: 3 },
        { labels: { agent: 'code-reviewer', source: 'deterministic', variant: 'ml', reason: 'NO_MODEL' }, value: 2 },
      ]),
    );
  });

  it('fallbacks are counted for ml-arm decisions answered by the rules only, never for the rules arm', async () => {
    const values = (await samples(a.metrics.decisionFallbacksTotal)).filter((s) => s.value > 0);
    expect(values).toEqual([{ labels: { agent: 'code-reviewer', reason: 'NO_MODEL' }, value: 2 }]);
  });

  it('the duration histogram observes every decision under its agent and source', async () => {
    const counts = (await samples(a.metrics.decisionDurationSeconds)).filter((s) => s.metricName?.endsWith('_count'));
    expect(counts).toEqual([{ labels: { agent: 'code-reviewer', source: 'deterministic' }, value: 5, metricName: expect.stringMatching(/_count$/) }]);
  });
});
