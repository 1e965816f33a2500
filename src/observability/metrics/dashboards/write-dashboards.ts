import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { abTestingControl } from './ab-testing-control.js';
import { abTestingOverview } from './ab-testing-overview.js';
import { agentPerformance } from './agent-performance.js';
import { mlBusinessMetrics } from './ml-business-metrics.js';
import { mlInfrastructure } from './ml-infrastructure.js';
import { mlOperations } from './ml-operations.js';
import { buildDashboard, type DashboardSpec } from './panels.js';

/** Every dashboard, by the file name it is written to (without `.json`). */
export const dashboardSpecs: Readonly<Record<string, DashboardSpec>> = {
  'ml-operations': mlOperations,
  'agent-performance': agentPerformance,
  'ml-business-metrics': mlBusinessMetrics,
  'ml-infrastructure': mlInfrastructure,
  'ab-testing-overview': abTestingOverview,
  'ab-testing-control': abTestingControl,
};

/** Every dashboard as Grafana JSON model, by file name. */
export function buildDashboards(): Record<string, Dashboard> {
  return Object.fromEntries(
    Object.entries(dashboardSpecs).map(([file, spec]) => [file, buildDashboard(spec)]),
  );
}

/** The exact text written for a dashboard (stable: 2-space JSON and a final newline). */
export const dashboardJson = (dashboard: Dashboard): string => `${JSON.stringify(dashboard, null, 2)}\n`;

/**
 * Writes every dashboard as `<dir>/<name>.json` (creating `dir`) and returns the paths.
 * The committed copies live in `monitoring/grafana/dashboards/`.
 *
 * @example
 * ```ts
 * const files = await writeDashboards('monitoring/grafana/dashboards');
 * ```
 */
export async function writeDashboards(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, dashboard] of Object.entries(buildDashboards())) {
    const path = join(dir, `${name}.json`);
    await writeFile(path, dashboardJson(dashboard));
    written.push(path);
  }
  return written;
}
