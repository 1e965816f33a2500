import { Command } from 'commander';
import { ConfigError, ValidationError } from '../../core/index.js';
import { createApprentice } from '../../runtime/index.js';
import { configFrom, storageOptions, type GlobalFlags } from '../common.js';

export function workerCommand(): Command {
  return storageOptions(new Command('worker'))
    .description('consume the Redis bus: project events into the store (N workers share one consumer group)')
    .option('--id <name>', 'consumer name (default <hostname>-<pid>)')
    .option('--claim-idle-ms <ms>', "take over entries another (dead) worker left unacknowledged this long", '30000')
    .action(async (flags: GlobalFlags & { id?: string; claimIdleMs: string }) => {
      const claimIdleMs = Number(flags.claimIdleMs);
      if (!Number.isInteger(claimIdleMs) || claimIdleMs < 1)
        throw new ValidationError('invalid --claim-idle-ms', [{ path: 'claimIdleMs', message: 'must be a positive integer (milliseconds)' }]);
      const config = configFrom(flags);
      if (!config.redisUrl)
        throw new ConfigError('worker needs a shared bus', [{ path: 'redisUrl', message: 'set REDIS_URL (or --redis-url); embedded `serve` runs its own projector' }]);
      const a = await createApprentice({
        config,
        projector: true,
        projectorOptions: { claimIdleMs, claimIntervalMs: Math.min(1000, claimIdleMs) },
        ...(flags.id ? { instanceId: flags.id } : {}),
      });
      process.stderr.write(`apprentice worker ${a.instanceId} consuming ${config.redisPrefix}{events}\n`);
      const stop = async (): Promise<void> => {
        await a.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
