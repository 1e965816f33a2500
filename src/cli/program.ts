import { Command, CommanderError } from 'commander';
import { agentsCommand } from './commands/agents.js';
import { featuresCommand } from './commands/features.js';
import { backupCommand, restoreCommand } from './commands/backup.js';
import { flagsCommand } from './commands/flags.js';
import { modelsCommand } from './commands/models.js';
import { alertsCommand, breakersCommand, dashboardsCommand } from './commands/ops.js';
import { rollbackCommand, rolloutsCommand } from './commands/rollout.js';
import { securityCommands } from './commands/security.js';
import { serveCommand } from './commands/serve.js';
import { tierCommand } from './commands/tier.js';
import { migrateCommand, replayCommand, statusCommand } from './commands/storage.js';
import { workerCommand } from './commands/worker.js';
import { fail } from './output.js';

/**
 * The `apprentice` program. `extra` adds commands composed outside the library (the executable
 * in `bin/` adds `demo` from `examples/detektor`, which no wing imports).
 */
export function buildCli(extra: readonly Command[] = []): Command {
  const program = new Command('apprentice')
    .description('Let agents learn from their own decisions without putting production at risk.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  for (const c of [
    serveCommand(),
    ...extra,
    workerCommand(),
    migrateCommand(),
    replayCommand(),
    backupCommand(),
    restoreCommand(),
    tierCommand(),
    statusCommand(),
    agentsCommand(),
    featuresCommand(),
    flagsCommand(),
    rolloutsCommand(),
    rollbackCommand(),
    breakersCommand(),
    modelsCommand(),
    dashboardsCommand(),
    alertsCommand(),
    ...securityCommands(),
  ])
    program.addCommand(c);
  usageErrorsThrow(program);
  return program;
}

/**
 * Every command at every depth throws its usage errors to `main` (exit 2) instead of calling
 * `process.exit(1)` itself: subcommands do not inherit `exitOverride` when they were created
 * before their parent was configured.
 */
function usageErrorsThrow(cmd: Command): void {
  cmd.exitOverride().showHelpAfterError();
  for (const c of cmd.commands) usageErrorsThrow(c);
}

export async function main(argv: readonly string[], extra: readonly Command[] = []): Promise<number> {
  try {
    await buildCli(extra).parseAsync(argv as string[], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    return fail(e);
  }
}

/** Run the program as the executable does: exit with its code (0 ok, 2 bad input, 1 failure). */
export function run(argv: readonly string[], extra: readonly Command[] = []): void {
  main(argv, extra).then(
    (code) => {
      if (code !== 0) process.exit(code);
    },
    (e: unknown) => process.exit(fail(e)),
  );
}
