import { resolve } from 'node:path';
import { Command } from 'commander';
import { ValidationError } from '../../core/index.js';
import { writeDashboards } from '../../observability/index.js';
import { writeAlertFiles } from '../../observability/index.js';
import type { BreakerRow, OverrideResult } from '../../safety/index.js';
import { type ApiFlags as BaseApiFlags, apiOptions, callApi } from '../api.js';
import { print, table } from '../output.js';

interface ApiFlags extends BaseApiFlags {
  readonly reason?: string;
}

const api = <T>(flags: ApiFlags, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => callApi<T>(flags, method, path, body);

const rowsText = (rows: readonly BreakerRow[]): string =>
  rows.length === 0
    ? 'no breakers yet (an agent gets its breakers when its model first serves)'
    : table([['AGENT', 'KIND', 'STATE'], ...rows.map((r) => [r.agent, r.kind, r.state])]);

/**
 * `apprentice breakers [list|open-all|close-all]`: the circuit breakers of a running server.
 * @example
 * apprentice breakers open-all --reason "model store outage" --token $TOKEN
 */
export function breakersCommand(): Command {
  const cmd = new Command('breakers').description(
    'list, open or close the circuit breakers of a running server',
  );
  const list = async (flags: ApiFlags): Promise<void> => {
    const r = await api<{ heldOpen: boolean; breakers: BreakerRow[] }>(
      flags,
      'GET',
      '/api/v1/circuit-breakers',
    );
    print(
      r,
      flags.json === true,
      () => `${r.heldOpen ? 'open-all override in force\n' : ''}${rowsText(r.breakers)}`,
    );
  };
  const override =
    (action: 'open-all' | 'close-all') =>
    async (flags: ApiFlags): Promise<void> => {
      const r = await api<OverrideResult>(
        flags,
        'POST',
        `/api/v1/circuit-breakers/${action}`,
        flags.reason ? { reason: flags.reason } : {},
      );
      print(
        r,
        flags.json === true,
        () => `${action}: ${r.agents.length} agent(s), audit event ${r.eventId}\n${rowsText(r.after)}`,
      );
    };
  cmd.addCommand(
    apiOptions(new Command('list').description('every breaker of every agent (the default)')).action(list),
    { isDefault: true },
  );
  cmd.addCommand(
    apiOptions(
      new Command('open-all').description('hold every breaker open: every agent answers with its rules'),
    )
      .option('--reason <text>', 'why (audited)')
      .action(override('open-all')),
  );
  cmd.addCommand(
    apiOptions(new Command('close-all').description('close every breaker and lift the open-all hold'))
      .option('--reason <text>', 'why (audited)')
      .action(override('close-all')),
  );
  return cmd;
}

/** `apprentice dashboards [--out dir]`: writes the Grafana dashboards as JSON. */
export function dashboardsCommand(): Command {
  return new Command('dashboards')
    .description('write the Grafana dashboards (JSON) generated from code')
    .option('--out <dir>', 'output directory', 'monitoring/grafana/dashboards')
    .option('--json', 'print JSON')
    .action(async (flags: { out: string; json?: boolean }) => {
      const files = await writeDashboards(resolve(flags.out));
      print({ files }, flags.json === true, () => files.map((f) => `wrote ${f}`).join('\n'));
    });
}

/** `apprentice alerts [--out dir]`: writes the Prometheus alert rules and the Alertmanager example. */
export function alertsCommand(): Command {
  return new Command('alerts')
    .description('write the Prometheus alert rules and scrape config, and the Alertmanager example config')
    .option('--out <dir>', 'output directory (gets prometheus/rules/ and alertmanager/)', 'monitoring')
    .option('--runbook-base-url <url>', "base of every runbook_url (env APPRENTICE_RUNBOOK_BASE_URL, default the repository's docs/runbooks)")
    .option('--json', 'print JSON')
    .action(async (flags: { out: string; runbookBaseUrl?: string; json?: boolean }) => {
      const base = flags.runbookBaseUrl ?? process.env.APPRENTICE_RUNBOOK_BASE_URL;
      if (base !== undefined && !/^https?:\/\/[^\s]+$/.test(base))
        throw new ValidationError('invalid runbook base URL', [{ path: flags.runbookBaseUrl !== undefined ? 'runbook-base-url' : 'APPRENTICE_RUNBOOK_BASE_URL', message: 'must be an absolute http(s) URL' }]);
      const w = await writeAlertFiles(flags.out, base !== undefined ? { runbookBaseUrl: base } : {});
      print(w, flags.json === true, () => [...[...w.rules, w.prometheus, w.alertmanager].map((f) => `wrote ${f}`), `runbooks at ${w.runbookBaseUrl}/<alert>.md`].join('\n'));
    });
}
