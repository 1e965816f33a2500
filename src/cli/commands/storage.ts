import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { createApprentice } from '../../runtime/index.js';
import { configFrom, storageConfigOf, storageOptions } from '../common.js';
import { print, redactUrl, table } from '../output.js';
import { callApi } from '../api.js';
import { remoteOf, remoteOptions, type Remote, type RemoteFlags } from '../remote.js';

/** `GET /api/v1/status` of a running server (what `status` and `migrate` show through it). */
interface RemoteStatus {
  instance: string;
  store: string;
  bus: string;
  migrations: { version: number; name: string }[];
  counts: { events: number; decisions: number; outcomes: number };
  spool: { events: number };
  health: { component: string; status: string; error?: string }[];
}
const remoteStatus = (r: Remote): Promise<RemoteStatus> => callApi<RemoteStatus>(r.api, 'GET', '/api/v1/status');
const healthTable = (health: readonly { component: string; status: string; error?: string | undefined }[]): string =>
  table([['component', 'status', 'error'], ...health.map((h) => [h.component, h.status, h.error ?? ''])]);

export function migrateCommand(): Command {
  return remoteOptions(storageOptions(new Command('migrate')))
    .description('create or upgrade the event store schema (idempotent; a running server migrated it at its start: then this shows its version)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: RemoteFlags) => {
      const remote = remoteOf(flags);
      if (remote) {
        const s = await remoteStatus(remote);
        print({ store: s.store, migrations: s.migrations, server: remote.api.url }, !!flags.json, () => `${s.store}: schema at version ${s.migrations.at(-1)?.version ?? 0} (${s.migrations.map((r) => r.name).join(', ')}; migrated by the server at ${remote.api.url})`);
        return;
      }
      const a = await createApprentice({ config: storageConfigOf(configFrom(flags)), projector: false });
      try {
        const rows = await a.store.query<{ version: number; name: string }>('SELECT version, name FROM apprentice_migrations ORDER BY version');
        print({ store: a.store.kind, migrations: rows }, !!flags.json, () => `${a.store.kind}: schema at version ${rows.at(-1)?.version ?? 0} (${rows.map((r) => r.name).join(', ')})`);
      } finally {
        await a.close();
      }
    });
}

export function replayCommand(): Command {
  return remoteOptions(storageOptions(new Command('replay')))
    .description('rebuild every projection from the immutable event log (through a running server: in it, appends wait)')
    .option('--json', 'print the result as JSON (no progress bar)')
    .action(async (flags: RemoteFlags) => {
      const remote = remoteOf(flags);
      if (remote) {
        const r = await callApi<{ events: number; ms: number }>(remote.api, 'POST', '/api/v1/replay');
        const rate = r.ms > 0 ? Math.round((r.events / r.ms) * 1000) : 0;
        print({ ...r, eventsPerSecond: rate }, !!flags.json, () => `replayed ${r.events} events in ${r.ms.toFixed(0)} ms (${rate} events/s) in the server at ${remote.api.url}`);
        return;
      }
      const a = await createApprentice({ config: storageConfigOf(configFrom(flags)), projector: false });
      const bar = flags.json || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar({ stream: process.stderr, format: 'replay [{bar}] {percentage}% {value}/{total} events' }, cliProgress.Presets.shades_classic);
      try {
        let started = false;
        const r = await a.store.replay((done, total) => {
          if (!bar) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        });
        bar?.stop();
        const rate = r.ms > 0 ? Math.round((r.events / r.ms) * 1000) : 0;
        print({ ...r, eventsPerSecond: rate }, !!flags.json, () => `replayed ${r.events} events in ${r.ms.toFixed(0)} ms (${rate} events/s)`);
      } finally {
        bar?.stop();
        await a.close();
      }
    });
}

export function statusCommand(): Command {
  return remoteOptions(storageOptions(new Command('status')))
    .description('configuration (secrets redacted), component health and counts (of the running server, when one holds the data directory or --url is given)')
    .option('--json', 'print as JSON')
    .action(async (flags: RemoteFlags) => {
      const remote = remoteOf(flags);
      if (remote) {
        const s = await remoteStatus(remote);
        print({ server: remote.api.url, ...s }, !!flags.json, () =>
          [
            `server:  ${remote.api.url} (instance ${s.instance}${remote.pid ? `, process ${remote.pid}` : ''})`,
            `store:   ${s.store}, schema version ${s.migrations.at(-1)?.version ?? 0}`,
            `bus:     ${s.bus}`,
            `counts:  ${s.counts.events} events, ${s.counts.decisions} decisions, ${s.counts.outcomes} outcomes; spool ${s.spool.events} events`,
            '',
            healthTable(s.health),
          ].join('\n'),
        );
        return;
      }
      const config = configFrom(flags);
      const a = await createApprentice({ config: storageConfigOf(config), projector: false });
      try {
        const health = await a.health();
        const [counts] = await a.store.query<{ events: number; decisions: number; outcomes: number }>(
          `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM decisions)::int AS decisions,
                  (SELECT count(*) FROM outcomes)::int AS outcomes`,
        );
        const spool = await a.spool.size();
        const out = {
          config: {
            ...config,
            databaseUrl: redactUrl(config.databaseUrl),
            redisUrl: redactUrl(config.redisUrl),
            ...(config.s3 ? { s3: { ...config.s3, ...(config.s3.secretAccessKey ? { secretAccessKey: '***' } : {}) } } : {}),
          },
          health,
          counts,
          spool,
        };
        print(out, !!flags.json, () =>
          [
            `store:   ${config.databaseUrl ? `postgres ${redactUrl(config.databaseUrl)}` : `embedded PGlite in ${config.dataDir}`}`,
            `bus:     ${config.redisUrl ? `redis ${redactUrl(config.redisUrl)}` : 'in-process'}`,
            `counts:  ${counts?.events ?? 0} events, ${counts?.decisions ?? 0} decisions, ${counts?.outcomes ?? 0} outcomes; spool ${spool.events} events`,
            '',
            healthTable(health),
          ].join('\n'),
        );
      } finally {
        await a.close();
      }
    });
}
