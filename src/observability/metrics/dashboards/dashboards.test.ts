import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeMetrics } from '../catalogue.js';
import { promqlRefs } from '../promql-refs.js';
import { checkExpressions } from '../testing/promtool.js';
import { allRules, repoRoot } from '../testing/rule-files.js';
import { AGENT_VALUES_QUERY } from './panels.js';
import { buildDashboards, writeDashboards } from './write-dashboards.js';

interface PanelJson {
  readonly type: string;
  readonly title: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly targets?: readonly { expr: string; refId: string }[];
}
interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly PanelJson[];
  readonly templating: { list: readonly { name: string; type: string; query?: string }[] };
}

const committedDir = join(repoRoot, 'monitoring/grafana/dashboards');
const dashboards = buildDashboards() as unknown as Record<string, DashboardJson>;
const panelsOf = (name: string): readonly PanelJson[] => dashboards[name]?.panels ?? [];
const titlesOf = (name: string): string[] => panelsOf(name).map((p) => p.title);
const allExprs = Object.values(dashboards).flatMap((d) =>
  d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
);

const tmp = mkdtempSync(join(tmpdir(), 'apprentice-dashboards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Grafana dashboards', () => {
  it('committed JSON equals a fresh generation (run scripts/monitoring/dashboards.ts if not)', async () => {
    const written = await writeDashboards(tmp);
    expect(written).toHaveLength(6);
    expect(readdirSync(committedDir).sort()).toEqual(readdirSync(tmp).sort());
    for (const file of readdirSync(tmp))
      expect(readFileSync(join(committedDir, file), 'utf8'), file).toBe(
        readFileSync(join(tmp, file), 'utf8'),
      );
  });

  it('have the panels each audience needs', () => {
    expect(panelsOf('ml-operations').length).toBeGreaterThanOrEqual(12);
    expect(titlesOf('ml-operations')).toContain('Model Accuracy');
    expect(panelsOf('agent-performance').length).toBeGreaterThanOrEqual(8);
    expect(titlesOf('ml-business-metrics')).toEqual(expect.arrayContaining(['Accuracy Improvement', 'Production Impact']));
    expect(titlesOf('ml-business-metrics')).not.toContain('ROI'); // no cost model (docs/metrics.md)
    expect(panelsOf('ml-infrastructure').length).toBeGreaterThanOrEqual(8);
    expect(panelsOf('ab-testing-overview').length).toBeGreaterThanOrEqual(12);
    expect(titlesOf('ab-testing-overview')).toContain('Business Impact');
    // One panel, one value per agent: no fixed agent list anywhere in the dashboards.
    const split = panelsOf('ab-testing-control').filter((p) => p.title.startsWith('Traffic Split'));
    expect(split.map((p) => p.type)).toEqual(['stat']);
    expect(split[0]?.targets?.[0]?.expr).toContain('by (agent)');
  });

  it('offer an agent variable, its values queried from Prometheus, where panels filter by agent', () => {
    const variable = dashboards['agent-performance']?.templating.list.find((v) => v.name === 'agent');
    expect(variable?.type).toBe('query');
    expect(variable?.query).toBe(AGENT_VALUES_QUERY);
    for (const d of Object.values(dashboards)) expect(JSON.stringify(d)).not.toMatch(/code-reviewer|pisarz|pr-manager/);
    for (const [name, d] of Object.entries(dashboards)) {
      const usesAgent = d.panels.some((p) => (p.targets ?? []).some((t) => t.expr.includes('$agent')));
      expect(
        d.templating.list.some((v) => v.name === 'agent'),
        name,
      ).toBe(usesAgent);
    }
  });

  it('have unique uids and titles, and panels that fit the grid without overlapping', () => {
    const all = Object.values(dashboards);
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const d of all) {
      expect(new Set(d.panels.map((p) => p.title)).size, d.uid).toBe(d.panels.length);
      const cells = new Set<string>();
      for (const p of d.panels) {
        const { x, y, w, h } = p.gridPos;
        expect(x + w, `${d.uid}/${p.title}`).toBeLessThanOrEqual(24);
        for (let i = x; i < x + w; i++)
          for (let j = y; j < y + h; j++) {
            expect(cells.has(`${i},${j}`), `${d.uid}/${p.title} overlaps`).toBe(false);
            cells.add(`${i},${j}`);
          }
        expect(p.targets?.length ?? 0, `${d.uid}/${p.title}`).toBeGreaterThan(0);
      }
    }
  });

  it('use only PromQL that promtool parses', () => {
    expect(allExprs.length).toBeGreaterThan(50);
    const r = checkExpressions(allExprs);
    expect(r.status, r.output).toBe(0);
  });

  it('reference only catalogue metrics and recording rules that exist', () => {
    const known = new Set(describeMetrics().map((m) => m.name));
    const records = new Set(allRules().flatMap((r) => (r.record === undefined ? [] : [r.record])));
    for (const expr of allExprs) {
      const refs = promqlRefs(expr);
      expect(refs.metrics.length + refs.recordingRules.length, expr).toBeGreaterThan(0);
      for (const m of refs.metrics) expect(known.has(m), `${m} in ${expr}`).toBe(true);
      for (const r of refs.recordingRules) expect(records.has(r), `${r} in ${expr}`).toBe(true);
    }
  });

  it('fail the parse check on broken PromQL (the check can fail)', () => {
    expect(checkExpressions(['sum by (agent (apprentice_decisions_total)']).status).not.toBe(0);
  });
});
