import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYSIS_DEFAULTS } from '../../src/experiments/analysis/analyze-experiment.js';
import { DEFAULT_ROLLOUT_POLICY } from '../../src/experiments/rollout/rollout-policy.js';
import { ROLLOUT_STEPS } from '../../src/experiments/rollout/rollout-state.js';
import { CLI, startCli, type RunningServer } from '../support/cli-process.js';
import { pollUntil } from '../support/poll-until.js';

const root = join(import.meta.dirname, '..', '..');
const guide = readFileSync(join(root, 'docs', 'own-agent.md'), 'utf8');
/** The guide's ```sh blocks, in order (```console blocks are for people: starting the server). */
const blocks = [...guide.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

const json = async <T>(url: string): Promise<T> => {
  const r = await fetch(url);
  expect(r.status, url).toBe(200);
  return (await r.json()) as T;
};

describe('docs/own-agent.md', () => {
  it('states the rollout defaults of the code', () => {
    const p = DEFAULT_ROLLOUT_POLICY;
    for (const claim of [
      `shadow → ${ROLLOUT_STEPS.join('% → ')}% → promoted`,
      `${p.minShadowOutcomes} shadow outcomes`,
      `at least ${p.minStepDurationMs / 60_000} minutes and ${p.minSamplePerArm} outcomes per arm`,
      `(α = ${ANALYSIS_DEFAULTS.alpha}, MDE τ = ${ANALYSIS_DEFAULTS.mde})`,
      `the interval above −${ANALYSIS_DEFAULTS.margin}`,
      `margin ${ANALYSIS_DEFAULTS.maeRelativeMargin * 100}%, MDE ${ANALYSIS_DEFAULTS.maeRelativeMde * 100}%`,
      `p < ${ANALYSIS_DEFAULTS.srmThreshold}`,
      `p95 model latency ≤ ${p.maxP95LatencyMs} ms, fallback rate ≤ ${p.maxFallbackRate * 100}%`,
      `one-sided, α = ${p.lossAlpha}`,
      `${p.stepRules[0]}: the always-valid`,
      `25%, 50% | ${p.stepRules[1]}`,
    ])
      expect(guide.replace(/\s+/g, ' '), claim).toContain(claim);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  describe('runs as written', () => {
    let dir: string;
    let server: RunningServer;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'apprentice-own-agent-'));
      // The test machine runs many test processes on two cores, so the event loop is never calm
      // enough for the learning throttle to let training resume: the server under test runs with
      // the throttle off (a config file; the guide's commands are unchanged).
      writeFileSync(join(dir, 'apprentice.config.json'), JSON.stringify({ learningThrottle: false }));
      server = await startCli(['serve', '--config', join(dir, 'apprentice.config.json'), '--data-dir', join(dir, 'data'), '--port', '0'], { APPRENTICE_LOG_LEVEL: 'silent' });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('every sh block, in order, with curl and jq against a started server', { timeout: 600_000 }, async () => {
      // `apprentice` on PATH is the build, as `npm install -g` or `npx` would provide it.
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'apprentice'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
      chmodSync(join(bin, 'apprentice'), 0o755);
      const script = blocks.map((b, i) => `echo "### block ${i + 1}"\n${b}`).join('\n');
      const run = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: dir,
        env: { ...process.env, APPRENTICE_URL: server.url, PATH: `${bin}:${process.env.PATH ?? ''}` },
        maxBuffer: 64 * 1024 * 1024,
      }).catch((e: { code?: number; stdout?: string; stderr?: string }) => {
        throw new Error(`the guide failed (exit ${e.code}):\n${e.stdout?.slice(-4000)}\n${e.stderr?.slice(-4000)}`);
      });
      expect(run.stdout).toContain(`### block ${blocks.length}`);

      const agent = await json<{ name: string; version: number; features: unknown[] }>(`${server.url}/api/v1/agents/refund-guard`);
      expect(agent).toMatchObject({ name: 'refund-guard', version: 1, kind: 'classification', feedback: 'label' });
      const models = await json<{ aliases: Record<string, number> }>(`${server.url}/api/v1/models/refund-guard/versions`);
      expect(models.aliases.shadow).toBeGreaterThanOrEqual(1);
      // The shadow runner scores predictions once their outcomes are projected.
      await pollUntil(
        async () => (await json<{ agents: { agent: string; total: number }[] }>(`${server.url}/api/v1/shadow/stats?agent=refund-guard`)).agents.find((a) => a.agent === 'refund-guard' && a.total > 0),
        { timeoutMs: 60_000, message: 'no shadow statistics for refund-guard after the second batch of traffic' },
      );
      const rollout = await json<{ phase: string }>(`${server.url}/api/v1/rollouts/refund-guard`);
      expect(rollout.phase).toBe('rolled_back');
      const events = await json<{ events: { data: { agent: string; command: string }; metadata: { reason: string } }[] }>(`${server.url}/api/v1/events?type=RolloutStepChanged`);
      expect(events.events.filter((e) => e.data.agent === 'refund-guard').map((e) => [e.data.command, e.metadata.reason])).toEqual(
        expect.arrayContaining([
          ['advance', 'trial: skip the shadow wait'],
          ['rollback', 'trial over'],
        ]),
      );
      expect(run.stderr).toMatch(/CONFLICT/); // the documented second rollback
    });
  });
});
