import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboards } from '../observability/metrics/dashboards/write-dashboards.js';
import { promqlRefs } from '../observability/metrics/promql-refs.js';
import { allRules } from '../observability/metrics/testing/rule-files.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { buildServer } from '../server/app.js';
import { installOps, type InstalledOps } from './install-ops.js';

interface PanelLike {
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly PanelLike[];
}
const exprsOf = (panels: readonly PanelLike[]): string[] =>
  panels.flatMap((p) => [
    ...(p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])),
    ...exprsOf(p.panels ?? []),
  ]);

/** The metric families a running service exports: its `# TYPE` lines. */
const exportedFamilies = (exposition: string): Set<string> =>
  new Set([...exposition.matchAll(/^# TYPE (\S+) \S+$/gm)].map(([, name]) => name!));

describe('live /metrics covers every metric the alert rules and dashboards read', () => {
  let dir: string;
  let a: Apprentice;
  let ops: InstalledOps;
  let app: FastifyInstance;
  let families: Set<string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-live-metrics-'));
    a = await createApprentice({ config: { dataDir: dir } });
    ops = await installOps(a, { throttle: { log: () => undefined } });
    app = await buildServer(a, { routes: [...ops.server.routes] });
    for (let i = 0; i < 20; i++) {
      const d = await app.inject({
        method: 'POST',
        url: '/api/v1/agents/debugger/decide',
        payload: { unitId: `u-${i}`, context: { n: i }, deterministic: 'retry' },
      });
      expect(d.statusCode).toBe(200);
      const { decisionId } = d.json() as { decisionId: string };
      await a.writer.flush();
      expect(
        (
          await app.inject({
            method: 'POST',
            url: `/api/v1/decisions/${decisionId}/outcome`,
            payload: { reward: i % 2 },
          })
        ).statusCode,
      ).toBe(202);
    }
    ops.getGuard('debugger'); // what the decision engine does once it serves models through the board
    ops.board.openAll('test', 'exercise the breaker metrics');
    const scrape = await app.inject({ method: 'GET', url: '/metrics' });
    expect(scrape.statusCode).toBe(200);
    families = exportedFamilies(scrape.body);
  });
  afterAll(async () => {
    await app.close();
    await ops.stop();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every metric of every alert and recording rule is exported', () => {
    const rules = allRules();
    expect(rules.length).toBeGreaterThanOrEqual(15);
    const missing = rules.flatMap((r) =>
      promqlRefs(r.expr)
        .metrics.filter((m) => !families.has(m))
        .map((m) => `${r.alert ?? r.record}: ${m}`),
    );
    expect(missing).toEqual([]);
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    expect(rules.flatMap((r) => promqlRefs(r.expr).recordingRules.filter((x) => !recorded.has(x)))).toEqual(
      [],
    );
  });

  it('every metric of every dashboard panel is exported', () => {
    const exprs = Object.values(buildDashboards()).flatMap((d) =>
      exprsOf((d as unknown as { panels?: PanelLike[] }).panels ?? []),
    );
    expect(exprs.length).toBeGreaterThan(40);
    const missing = [...new Set(exprs.flatMap((e) => promqlRefs(e).metrics))].filter((m) => !families.has(m));
    expect(missing).toEqual([]);
  });

  it('the ops metrics carry values after a run', async () => {
    const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toMatch(/^apprentice_breaker_state\{agent="debugger",kind="failure"\} 2$/m);
    expect(body).toMatch(/^apprentice_learner_throttled\{worker="main"\} [01]$/m);
    expect(body).toMatch(
      /^apprentice_http_requests_total\{method="POST",route="\/api\/v1\/agents\/:agent\/decide",status="200"\} 20$/m,
    );
  });
});
