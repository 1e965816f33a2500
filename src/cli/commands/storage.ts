import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { createApprentice } from '../../runtime/index.js';
import { configFrom, storageOptions, type GlobalFlags } from '../common.js';
import { print, redactUrl, table } from '../output.js';

export function migrateCommand(): Command {
  return storageOptions(new Command('migrate'))
    .description('create or upgrade the event store schema (idempotent)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: GlobalFlags) => {
      const a = await createApprentice({ config: configFrom(flags), projector: false });
      try {
        const rows = await a.store.query<{ version: number; name: string }>('SELECT version, name FROM apprentice_migrations ORDER BY version');
        print({ store: a.store.kind, migrations: rows }, !!flags.json, () => `${a.store.kind}: schema at version ${rows.at(-1)?.version ?? 0} (${rows.map((r) => r.name).join(', ')})`);
      } finally {
        await a.close();
      }
    });
}

export function replayCommand(): Command {
  return storageOptions(new Command('replay'))
    .description('rebuild every projection from the immutable event log')
    .option('--json', 'print the result as JSON (no progress bar)')
    .action(async (flags: GlobalFlags) => {
      const a = await createApprentice({ config: configFrom(flags), projector: false });
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
  return storageOptions(new Command('status'))
    .description('configuration (secrets redacted), component health and counts')
    .option('--json', 'print as JSON')
    .action(async (flags: GlobalFlags) => {
      const config = configFrom(flags);
      const a = await createApprentice({ config, projector: false });
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
            table([['component', 'status', 'error'], ...health.map((h) => [h.component, h.status, h.error ?? ''])]),
          ].join('\n'),
        );
      } finally {
        await a.close();
      }
    });
}
