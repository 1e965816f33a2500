import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';

interface ShadowStats {
  total: number;
  agents: { agent: string; total: number; withOutcome: number; quality: { kind: string } | null }[];
}

// `npm start` runs `apprentice demo`: the built CLI as a process, embedded storage, the eight
// Detektor agents and the simulated workload. Within two minutes the shadow statistics must
// show models predicting beside the rules and being scored on outcomes.
describe('apprentice demo (npm start)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-demo-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the models learning in shadow within two minutes', { timeout: 180_000 }, async () => {
    // Many test processes share two cores, so the event loop is never calm enough for the
    // learning throttle to let training resume: the demo under test runs with it off.
    writeFileSync(join(dir, 'test.config.json'), JSON.stringify({ learningThrottle: false }));
    const demo = await startCli(['demo', '--config', join(dir, 'test.config.json'), '--data-dir', join(dir, 'data'), '--port', '0'], { APPRENTICE_LOG_LEVEL: 'silent' });
    try {
      expect(demo.output()).toMatch(/API auth is OFF: embedded start on 127\.0\.0\.1/);
      const agents = (await (await fetch(`${demo.url}/api/v1/agents`)).json()) as { agents?: unknown[] } | unknown[];
      const list = Array.isArray(agents) ? agents : (agents.agents ?? []);
      expect(list.length).toBe(8);
      let stats: ShadowStats | undefined;
      for (let i = 0; i < 110; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        stats = (await (await fetch(`${demo.url}/api/v1/shadow/stats`)).json()) as ShadowStats;
        const scored = stats.agents.filter((a) => a.quality !== null && a.withOutcome >= 20);
        if (scored.length >= 3) break;
      }
      expect(stats!.total).toBeGreaterThan(0);
      expect(stats!.agents.filter((a) => a.quality !== null && a.withOutcome >= 20).length).toBeGreaterThanOrEqual(3);
      const health = (await (await fetch(`${demo.url}/health/aggregate`)).json()) as { components: { component: string; status: string }[] };
      const names = health.components.map((c) => c.component);
      expect(names).toEqual(expect.arrayContaining(['event-store:pglite', 'bus:memory', 'learners', 'worker-pool', 'model:code-reviewer', 'model:pr-manager']));
      const decisions = await fetch(`${demo.url}/metrics`).then((r) => r.text());
      expect(decisions).toMatch(/apprentice_decisions_total\{agent="code-reviewer"/);
    } finally {
      expect(await demo.stop('SIGTERM')).toBe(0);
    }
  });
});
