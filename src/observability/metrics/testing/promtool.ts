// Test helpers around Prometheus' command-line tools. promtool and amtool come from
// scripts/setup/ensure-tools.sh (npm test runs it); a missing tool fails the test rather than skipping it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface ToolResult {
  readonly status: number | null;
  readonly output: string;
}

/** Runs a Prometheus tool; throws a helpful error when it is not installed. */
export function runTool(tool: 'promtool' | 'amtool', args: readonly string[], cwd?: string): ToolResult {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error(`${tool} is not installed: run scripts/setup/ensure-tools.sh (npm test runs it)`);
  }
  const r = spawnSync(tool, args, { encoding: 'utf8', cwd });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Grafana's template variables replaced by values PromQL accepts. */
export function substituteGrafanaVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__interval', '1m')
    .replaceAll('$__range', '1h')
    .replace(/\$\{(\w+)(:\w+)?\}/g, 'var_$1')
    .replace(/\$(\w+)/g, 'var_$1');
}

/**
 * Checks that every expression parses, by writing one recording rule per expression and
 * running `promtool check rules` on it. Returns promtool's result.
 */
export function checkExpressions(exprs: readonly string[]): ToolResult {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-promql-'));
  try {
    const rules = exprs.map((expr, i) => ({
      record: `check:expr_${i}`,
      expr: substituteGrafanaVariables(expr),
    }));
    const file = join(dir, 'exprs.rules.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'exprs', rules }] }));
    return runTool('promtool', ['check', 'rules', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
