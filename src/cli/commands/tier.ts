import { Command } from 'commander';
import { ValidationError } from '../../core/index.js';
import { checkTierable, coldSegments, createApprentice, createArtifactStore, sqlClientOf, tierPartitions, type Apprentice, type TierResult } from '../../runtime/index.js';
import { callApi } from '../api.js';
import { configFrom, storageOptions, type GlobalFlags } from '../common.js';
import { print, table } from '../output.js';
import { remoteOf, remoteOptions, type RemoteFlags } from '../remote.js';

interface TierFlags extends RemoteFlags {
  readonly olderThanDays?: string;
  readonly lockTimeoutMs?: string;
  readonly reason?: string;
  readonly actor?: string;
}

async function withApprentice<T>(flags: GlobalFlags, fn: (a: Apprentice) => Promise<T>): Promise<T> {
  const a = await createApprentice({ config: configFrom(flags), projector: false });
  try {
    return await fn(a);
  } finally {
    await a.close();
  }
}

const positiveInt = (raw: string | undefined, path: string, fallback: number): number => {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new ValidationError(`invalid --${path}`, [{ path, message: 'must be an integer ≥ 1' }]);
  return n;
};

/** Prints a tiering result; exit code 1 when a partition failed. */
function report(r: TierResult, json: boolean): void {
  print(r, json, () =>
    [
      `partitions ending before ${r.cutoff}: ${r.tiered.length} tiered, ${r.failed.length} failed`,
      ...(r.carved.length > 0 ? [`  made out of the default partition first: ${r.carved.join(', ')}`] : []),
      ...r.tiered.map((t) => `  ${t.partition}: ${t.rows} events -> ${t.chunks} chunk(s), ${t.bytes} bytes, manifest ${t.manifestKey}; ${t.keptHot} kept hot`),
      ...r.failed.map((f) => `  ${f.partition}: FAILED at ${f.stage} (${f.error}); the partition is whole, run tier again`),
    ].join('\n'),
  );
  if (r.failed.length > 0) process.exitCode = 1;
}

/**
 * `apprentice tier [run|list|read]`: cold tiering of the event log (src/runtime/tiering.ts).
 * @example
 * apprentice tier --older-than-days 90 --reason "quarterly tiering"
 */
export function tierCommand(): Command {
  const cmd = new Command('tier').description('move old partitions of the event log to compressed NDJSON in the artifact store (cold tier)');
  cmd.addCommand(
    remoteOptions(storageOptions(new Command('run')))
      .description('tier every monthly partition whose range ended more than N days ago (default: config coldAfterDays, 90); through the server holding the data directory or --url when there is one (POST /api/v1/admin/tier; the audit actor is then the token)')
      .option('--older-than-days <n>', 'age in days (default: config coldAfterDays)')
      .option('--lock-timeout-ms <ms>', 'longest wait for a partition lock at the drop', '5000')
      .option('--reason <text>', 'why (kept in the audit event)')
      .option('--actor <name>', 'audit actor (default cli:$USER)')
      .option('--json', 'print as JSON')
      .action(async (flags: TierFlags) => {
        // Bad input is refused before anything is opened.
        const config = configFrom(flags);
        const olderThanDays = positiveInt(flags.olderThanDays, 'older-than-days', config.coldAfterDays);
        const lockTimeoutMs = positiveInt(flags.lockTimeoutMs, 'lock-timeout-ms', 5000);
        const remote = remoteOf(flags);
        if (remote) {
          const body = { ...(flags.olderThanDays === undefined ? {} : { olderThanDays }), lockTimeoutMs, ...(flags.reason === undefined ? {} : { reason: flags.reason }) };
          report(await callApi<TierResult>(remote.api, 'POST', '/api/v1/admin/tier', body), !!flags.json);
          return;
        }
        const a = await createApprentice({ config, projector: false });
        let artifacts: Awaited<ReturnType<typeof createArtifactStore>> | undefined;
        try {
          const db = sqlClientOf(a);
          if (!db) throw new ValidationError('tier needs the SQL event store');
          artifacts = await createArtifactStore(a);
          checkTierable(a.store.kind, artifacts);
          const r = await tierPartitions({
            db,
            artifacts,
            olderThanDays,
            lockTimeoutMs,
            actor: flags.actor ?? `cli:${process.env.USER ?? 'unknown'}`,
            reason: flags.reason,
          });
          report(r, !!flags.json);
        } finally {
          await artifacts?.close();
          await a.close();
        }
      }),
    { isDefault: true },
  );
  cmd.addCommand(
    storageOptions(new Command('list'))
      .description('the cold segments: partition, range, events, state')
      .option('--json', 'print as JSON')
      .action(async (flags: GlobalFlags) => {
        await withApprentice(flags, async (a) => {
          const segments = await coldSegments(a.store, { all: true });
          const rows = segments.map((s) => ({ partition: s.partition, from: s.manifest.range.from, to: s.manifest.range.to, rows: s.rows, state: s.state, tieredAt: s.tieredAt, manifestKey: s.manifestKey }));
          print(rows, !!flags.json, () =>
            rows.length === 0 ? 'no cold segments' : table([['PARTITION', 'FROM', 'TO', 'EVENTS', 'STATE', 'MANIFEST'], ...rows.map((r) => [r.partition, r.from, r.to, String(r.rows), r.state, r.manifestKey])]),
          );
        });
      }),
  );
  cmd.addCommand(
    storageOptions(new Command('read'))
      .description("print a per-decision stream's events, hot and cold (NDJSON)")
      .requiredOption('--stream <stream>', 'decision-<id>')
      .action(async (flags: GlobalFlags & { stream: string }) => {
        await withApprentice(flags, async (a) => {
          for (const e of await a.store.readStream(flags.stream, { limit: 10_000 }))
            process.stdout.write(`${JSON.stringify({ ...e, position: e.position.toString(), transactionId: e.transactionId.toString() })}\n`);
        });
      }),
  );
  return cmd;
}
