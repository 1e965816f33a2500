/**
 * Demo evidence of issue 12: in the demo's platform (its agent definitions and rollout policy),
 * the exploring reward agent pisarz logs propensities, trains a shadow model, and the rollout
 * status at its shadow → canary step carries the OPE gate's evidence, as `apprentice rollouts
 * pisarz` prints it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeEvidence } from '../../src/cli/commands/rollout.js';
import { presentStatus } from '../../src/experiments/rollout/rollout-routes.js';
import { type Apprentice, createApprentice } from '../../src/runtime/create-apprentice.js';
import { type Platform, installPlatform } from '../../src/runtime/install-platform.js';
import { DEMO_ROLLOUT_ANALYSIS, DEMO_ROLLOUT_POLICY, detektorAgentDefinitions } from './demo-scenario.js';
import { startDemoWorkload } from './demo-workload.js';

describe('demo: the OPE gate of pisarz at shadow → canary', () => {
  let dir: string;
  let a: Apprentice;
  let platform: Platform;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-demo-ope-'));
    a = await createApprentice({ config: { dataDir: dir } });
    platform = await installPlatform(a, {
      agents: detektorAgentDefinitions(),
      rolloutPolicy: DEMO_ROLLOUT_POLICY,
      rolloutAnalysis: DEMO_ROLLOUT_ANALYSIS,
      controller: false,
      trainer: { registerEvery: 100 },
      throttle: false,
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await a?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pisarz explores within its budget, and its rollout status shows the OPE evidence', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const errors: unknown[] = [];
    const stop = startDemoWorkload(a, { seed: 1, ratePerSecond: 400, maxDecisions: 6000, onError: (e) => errors.push(e) });
    try {
      await vi.advanceTimersByTimeAsync(20_000);
      for (let i = 0; i < 20_000 && stop.stats().outcomesPending > 0; i++) await new Promise((r) => setImmediate(r));
    } finally {
      stop();
      vi.useRealTimers();
    }
    expect(errors).toEqual([]);
    await a.writer.flush();
    await a.projector?.drainOnce();
    const deadline = Date.now() + 30_000;
    while (!platform.learning.serving.shadow('pisarz')) {
      if (Date.now() > deadline) throw new Error('no shadow model of pisarz within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    await platform.learning.serving.settled();

    const explored = platform.learning.explorer.stats().find((s) => s.agent === 'pisarz')!;
    expect(explored.share).toBeGreaterThan(0.1);
    expect(explored.share).toBeLessThanOrEqual(0.2);

    const [tick] = await platform.experiments.controller.tick('pisarz');
    const status = presentStatus(await platform.experiments.controller.status('pisarz')) as { step: string; ope: Parameters<typeof describeEvidence>[0]['ope'] };
    expect(status.step).toBe('shadow');
    expect(status.ope).toMatchObject({ n: expect.any(Number), minEffectiveSampleSize: 30 });
    expect(status.ope!.n).toBeGreaterThan(100);
    expect(status.ope!.effectiveSampleSize).toBeGreaterThan(0);
    const [line] = describeEvidence(status);
    expect(line).toMatch(/^OPE gate: (pass|hold) — DR \d\.\d{3} \[-?\d\.\d{3}, \d\.\d{3}\] vs served \d\.\d{3} \+ margin 0, ESS \d+ of \d+$/);
    process.stdout.write(`demo pisarz: ${line}\nverdict: ${tick!.verdict.action} — ${tick!.verdict.reasons.join('; ')}\n`);
    // The gate's evidence is audited.
    const events = await a.store.readStream('rollout-pisarz');
    expect(events.filter((e) => e.type === 'OpeGateEvaluated')).toHaveLength(1);
  }, 180_000);
});
