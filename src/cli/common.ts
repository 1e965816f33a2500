import type { Command } from 'commander';
import { loadConfig, type ApprenticeConfig, type ConfigInput } from '../core/index.js';

export interface GlobalFlags {
  readonly config?: string;
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  readonly json?: boolean;
}

/** Options shared by every command that touches storage. */
export function storageOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (default: apprentice.config.json when present)')
    .option('--data-dir <dir>', 'embedded storage directory (env APPRENTICE_DATA_DIR, default ./.apprentice)')
    .option('--database-url <url>', 'PostgreSQL event store (env DATABASE_URL; default embedded PGlite)')
    .option('--redis-url <url>', 'Redis bus and cache (env REDIS_URL; default in-process)');
}

export function configFrom(flags: GlobalFlags, extra: Partial<ConfigInput> = {}): ApprenticeConfig {
  return loadConfig({
    ...(flags.config ? { file: flags.config } : {}),
    overrides: { dataDir: flags.dataDir, databaseUrl: flags.databaseUrl, redisUrl: flags.redisUrl, ...extra },
  });
}

/**
 * The configuration a CLI command opens the storage with: the service's, but with no decision
 * journal (`durability: memory`). A CLI command never records decisions, and the journal in the
 * data directory is locked by the `serve` or `worker` process that uses it (in server mode the
 * store itself is shared, so only the journal would lock the CLI out).
 */
export const storageConfigOf = (config: ApprenticeConfig): ApprenticeConfig => ({ ...config, durability: 'memory' });
