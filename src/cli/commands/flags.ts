import { Command } from 'commander';
import { ValidationError } from '../../core/index.js';
import { type ApiFlags, apiOptions, callApi, readJsonFile, runAction as run } from '../api.js';
import { print, table } from '../output.js';

interface FlagView {
  key: string;
  version: number;
  definition: { state: string; defaultVariant?: string | null; metadata?: Record<string, unknown> };
  updatedAt: string;
  updatedBy: string | null;
}

const row = (f: FlagView): string[] => [f.key, String(f.version), f.definition.state, String(f.definition.metadata?.percentage ?? ''), f.updatedBy ?? '', f.updatedAt];
const HEAD = ['key', 'version', 'state', 'ml %', 'by', 'updated'];

/**
 * `apprentice flags get [key]`, `flags set <key> <file|->` (a flagd definition as JSON),
 * `flags percentage <key> <n>`: over the HTTP API of a running `apprentice serve`, so the change
 * reaches every instance.
 */
export function flagsCommand(): Command {
  const cmd = new Command('flags').description('read and change feature flags (flagd format) of a running server');
  apiOptions(cmd.command('get [key]').description('show one flag, or list all'))
    .action((key: string | undefined, flags: ApiFlags) =>
      run(async () => {
        if (key) {
          const f = await callApi<FlagView>(flags, 'GET', `/api/v1/flags/${encodeURIComponent(key)}`);
          print(f, flags.json ?? false, () => `${table([HEAD, row(f)])}\n${JSON.stringify(f.definition, null, 2)}`);
        } else {
          const { flags: list } = await callApi<{ flags: FlagView[] }>(flags, 'GET', '/api/v1/flags');
          print(list, flags.json ?? false, () => table([HEAD, ...list.map(row)]));
        }
      }),
    );
  apiOptions(cmd.command('set <key> <definition>').description('create or replace a flag from a JSON file ("-" for stdin)'))
    .option('--reason <text>', 'why (audit trail)')
    .action((key: string, file: string, flags: ApiFlags & { reason?: string }) =>
      run(async () => {
        const definition = readJsonFile(file, 'flag definition');
        const f = await callApi<FlagView>(flags, 'PUT', `/api/v1/flags/${encodeURIComponent(key)}`, definition, flags.reason);
        print(f, flags.json ?? false, () => `${f.key} is now version ${f.version}`);
      }),
    );
  apiOptions(cmd.command('percentage <key> <percentage>').description('set the ml share of a rollout flag (0-100)'))
    .option('--reason <text>', 'why (audit trail)')
    .action((key: string, pct: string, flags: ApiFlags & { reason?: string }) =>
      run(async () => {
        const percentage = Number(pct);
        if (!Number.isInteger(percentage) || percentage < 0 || percentage > 100)
          throw new ValidationError('invalid percentage', [{ path: 'percentage', message: 'must be an integer from 0 to 100' }]);
        const f = await callApi<FlagView>(flags, 'POST', `/api/v1/flags/${encodeURIComponent(key)}/percentage`, { percentage, ...(flags.reason ? { reason: flags.reason } : {}) });
        print(f, flags.json ?? false, () => `${f.key}: ml ${percentage}% (version ${f.version})`);
      }),
    );
  return cmd;
}
