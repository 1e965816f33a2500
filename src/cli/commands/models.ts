import { join, resolve } from 'node:path';
import { Command } from 'commander';
import type { NewEvent } from '../../core/index.js';
import { ModelRegistry } from '../../learning/index.js';
import { createApprentice, type Apprentice } from '../../runtime/index.js';
import { configFrom, storageOptions, type GlobalFlags } from '../common.js';
import { fail, print, table } from '../output.js';

interface ModelsFlags extends GlobalFlags {
  readonly reason?: string;
  readonly actor?: string;
}

/** Open storage, rebuild the registry from the log; events it records are appended directly. */
async function withRegistry(flags: GlobalFlags, fn: (r: ModelRegistry, a: Apprentice) => Promise<void> | void): Promise<void> {
  const a = await createApprentice({ config: configFrom(flags), projector: false });
  const pending: NewEvent[] = [];
  try {
    const registry = new ModelRegistry({ dir: join(resolve(a.config.dataDir), 'models'), sink: { record: (e) => pending.push(e) } });
    await registry.catchUp(a.store);
    await fn(registry, a);
    if (pending.length > 0) await a.store.append(pending);
  } catch (e) {
    process.exitCode = fail(e);
  } finally {
    await a.close();
  }
}

/**
 * `apprentice models list | versions <agent> | alias <agent> <alias> <version> --reason <why>`.
 * @example apprentice models alias debugger production 3 --reason "rollback after alert"
 */
export function modelsCommand(): Command {
  const cmd = new Command('models').description('model registry: versions, aliases and their history');
  storageOptions(cmd.command('list'))
    .description('agents with registered models, their latest version and aliases')
    .option('--json', 'print as JSON')
    .action((flags: ModelsFlags) =>
      withRegistry(flags, (r) => {
        const rows = r.agents().map((agent) => ({ agent, latest: r.latest(agent)?.version ?? null, aliases: r.aliases(agent) }));
        print(rows, !!flags.json, () =>
          rows.length === 0 ? 'no models registered' : table([['AGENT', 'LATEST', 'ALIASES'], ...rows.map((x) => [x.agent, String(x.latest ?? '-'), Object.entries(x.aliases).map(([k, v]) => `${k}=${v}`).join(' ')])]),
        );
      }),
    );
  storageOptions(cmd.command('versions <agent>'))
    .description('versions of an agent’s model with metrics and lineage, and the alias history')
    .option('--json', 'print as JSON')
    .action((agent: string, flags: ModelsFlags) =>
      withRegistry(flags, (r) => {
        const data = { agent, versions: r.versions(agent), aliases: r.aliases(agent), history: r.aliasHistory(agent) };
        print(data, !!flags.json, () =>
          [
            table([['VERSION', 'FORMAT', 'CREATED', 'SHA256', 'METRICS'], ...data.versions.map((v) => [String(v.version), v.format, v.createdAt, v.sha256.slice(0, 12), Object.entries(v.metrics).map(([k, x]) => `${k}=${x === null ? '-' : Number(x.toFixed(4))}`).join(' ')])]),
            '',
            table([['ALIAS', 'FROM', 'TO', 'ROLLBACK', 'ACTOR', 'AT', 'REASON'], ...data.history.map((m) => [m.alias, String(m.from ?? '-'), String(m.to), m.rollback ? 'yes' : '', m.actor, m.at, m.reason])]),
          ].join('\n'),
        );
      }),
    );
  storageOptions(cmd.command('alias <agent> <alias> <version>'))
    .description('point an alias at a version (moving it back is a rollback); recorded with who and why')
    .requiredOption('--reason <why>', 'why (kept in the audit trail)')
    .option('--actor <name>', 'who (default: $USER or cli)')
    .option('--json', 'print as JSON')
    .action((agent: string, alias: string, version: string, flags: ModelsFlags) =>
      withRegistry(flags, (r) => {
        const n = Number(version);
        const move = r.setAlias(agent, alias, Number.isInteger(n) ? n : NaN, { actor: flags.actor ?? process.env.USER ?? 'cli', reason: flags.reason ?? '' });
        print(move, !!flags.json, () => `${agent}@${alias}: ${move.from ?? '-'} -> ${move.to}${move.rollback ? ' (rollback)' : ''}`);
      }),
    );
  return cmd;
}
