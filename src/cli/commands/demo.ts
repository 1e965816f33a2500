import { Command } from 'commander';
import { runServe } from './serve.js';

/** `apprentice demo` / `npm start`: serve with embedded storage and the Detektor agents. */
export function demoCommand(): Command {
  return new Command('demo')
    .description('serve with embedded storage (no PostgreSQL/Redis needed) and the Detektor demo agents')
    .option('--data-dir <dir>', 'embedded storage directory (default ./.apprentice)')
    .option('-p, --port <port>', 'port (default 8080)')
    .action((flags: { dataDir?: string; port?: string }) => runServe({ ...flags }));
}
