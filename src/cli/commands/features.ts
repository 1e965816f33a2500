import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { UnavailableError, ValidationError } from '../../core/index.js';
import { type ApiFlags, apiOptions, callApi, readJsonFile, runAction as run } from '../api.js';
import { print, table } from '../output.js';

interface ViewStatus {
  phase: 'starting' | 'backfilling' | 'live' | 'unknown';
  applied: number;
  progress: number | null;
  caughtUpAt: string | null;
  losses: number;
  entities: number | null;
}
interface ViewInfo {
  name: string;
  version: number;
  entity: string;
  source: { events: string; agent?: string };
  features: { name: string; aggregation: string; window: string | { last: number } }[];
  updatedAt: string;
  status: ViewStatus;
}
interface FeatureRead {
  view: string;
  entity: string;
  status: string;
  values: Record<string, unknown> | null;
  asOf: string;
}

const HEAD = ['view', 'version', 'entity', 'source', 'features', 'phase', 'progress', 'applied', 'entities'];
const pct = (p: number | null): string => (p === null ? '?' : `${Math.round(p * 100)}%`);
const row = (v: ViewInfo): string[] => [
  v.name,
  String(v.version),
  v.entity,
  v.source.agent ? `${v.source.events} of ${v.source.agent}` : v.source.events,
  String(v.features.length),
  v.status.phase,
  pct(v.status.progress),
  String(v.status.applied),
  v.status.entities === null ? '?' : String(v.status.entities),
];

/**
 * `apprentice features list`, `features get <view> [entity]` and `features backfill <view> [file]`
 * (define or change a view from a JSON file, then follow its backfill from the log with a
 * progress bar until it streams live), over the HTTP API of a running server.
 * @example apprentice features backfill author-reliability ./author-reliability.json --reason "new view"
 */
export function featuresCommand(): Command {
  const cmd = new Command('features').description('feature views of a running server: list them, read an entity\'s features, define and backfill a view');
  apiOptions(cmd.command('list').description('every feature view with its materialisation status')).action((flags: ApiFlags) =>
    run(async () => {
      const { views } = await callApi<{ views: ViewInfo[] }>(flags, 'GET', '/api/v1/features');
      print(views, flags.json ?? false, () => (views.length === 0 ? 'no feature views defined' : table([HEAD, ...views.map(row)])));
    }),
  );
  apiOptions(cmd.command('get').argument('<view>').argument('[entity]', 'an entity id (e.g. an author): its features as of now').description("a view's definition and status, or one entity's features"))
    .action((view: string, entity: string | undefined, flags: ApiFlags) =>
      run(async () => {
        if (entity === undefined) {
          const v = await callApi<ViewInfo>(flags, 'GET', `/api/v1/features/${encodeURIComponent(view)}`);
          print(v, flags.json ?? false, () => `${table([HEAD, row(v)])}\n${JSON.stringify(v, null, 2)}`);
          return;
        }
        const r = await callApi<FeatureRead>(flags, 'GET', `/api/v1/features/${encodeURIComponent(view)}/${encodeURIComponent(entity)}`);
        print(r, flags.json ?? false, () =>
          [`${r.view} ${r.entity}: ${r.status} as of ${r.asOf}`, ...(r.values ? [table(Object.entries(r.values).map(([k, v]) => [k, v === null ? '-' : String(v)]))] : [])].join('\n'),
        );
      }),
    );
  apiOptions(
    cmd
      .command('backfill')
      .argument('<view>')
      .argument('[file]', 'the view definition as JSON ("-" for stdin): defines or changes the view first (a new version is built from the whole log)')
      .description('follow a view\'s backfill from the event log until it streams live, with a progress bar'),
  )
    .option('--reason <text>', 'why (audit trail), with a definition')
    .option('--timeout <seconds>', 'give up after this long (exit 1)', '600')
    .action((view: string, file: string | undefined, flags: ApiFlags & { reason?: string; timeout: string }) =>
      run(async () => {
        const timeout = Number(flags.timeout);
        if (!Number.isFinite(timeout) || timeout <= 0) throw new ValidationError('invalid --timeout', [{ path: 'timeout', message: 'a positive number of seconds' }]);
        if (file !== undefined) await callApi(flags, 'PUT', `/api/v1/features/${encodeURIComponent(view)}`, readJsonFile(file, 'feature view'), flags.reason);
        const bar = flags.json || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar({ stream: process.stderr, format: `${view} [{bar}] {percentage}% {applied} inputs applied` }, cliProgress.Presets.shades_classic);
        bar?.start(100, 0, { applied: 0 });
        const deadline = Date.now() + timeout * 1000;
        let v = await callApi<ViewInfo>(flags, 'GET', `/api/v1/features/${encodeURIComponent(view)}`);
        // Bounded: until the view is live or the timeout passes.
        while (v.status.phase !== 'live' && Date.now() < deadline) {
          bar?.update(Math.round((v.status.progress ?? 0) * 100), { applied: v.status.applied });
          await new Promise((r) => setTimeout(r, 250));
          v = await callApi<ViewInfo>(flags, 'GET', `/api/v1/features/${encodeURIComponent(view)}`);
        }
        bar?.update(Math.round((v.status.progress ?? 0) * 100), { applied: v.status.applied });
        bar?.stop();
        if (v.status.phase !== 'live') throw new UnavailableError(`${view} v${v.version} is still ${v.status.phase} after ${timeout} s (${pct(v.status.progress)}, ${v.status.applied} inputs applied)`);
        print(v, flags.json ?? false, () => `${view} v${v.version} is live: ${v.status.applied} inputs applied, ${v.status.entities ?? '?'} entities; streaming from the log`);
      }),
    );
  return cmd;
}
