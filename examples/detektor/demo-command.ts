import { Command } from 'commander';
import { DEMO_ROLLOUT_ANALYSIS, DEMO_ROLLOUT_POLICY, detektorAgentDefinitions, startDemo } from './demo-scenario.js';
import { runServe, type ServeExtension, type ServeFlags } from '../../src/cli/commands/serve.js';
import type { PlatformOptions } from '../../src/runtime/index.js';

export interface DemoFlags {
  readonly config?: string;
  readonly dataDir?: string;
  readonly port?: string;
  readonly rate: string;
  readonly seed: string;
}

/** What `demo` passes to `serve`: the flags, the platform options and the workload extension. */
export function demoServeArgs(flags: DemoFlags): [ServeFlags, PlatformOptions, ServeExtension[]] {
  return [
    { ...(flags.config ? { config: flags.config } : {}), ...(flags.dataDir ? { dataDir: flags.dataDir } : {}), ...(flags.port ? { port: flags.port } : {}) },
    { agents: detektorAgentDefinitions(), rolloutPolicy: DEMO_ROLLOUT_POLICY, rolloutAnalysis: DEMO_ROLLOUT_ANALYSIS, rolloutIntervalMs: 5000, trainer: { registerEvery: 100 } },
    [async (a, platform) => startDemo(a, platform, { ratePerSecond: Number(flags.rate), seed: Number(flags.seed) })],
  ];
}

/** `apprentice demo` / `npm start`: serve with embedded storage, the Detektor agents and a simulated workload. */
export function demoCommand(): Command {
  return new Command('demo')
    .description('serve with embedded storage (no PostgreSQL/Redis needed), the eight Detektor agents and a simulated workload')
    .option('-c, --config <file>', 'config file (default: apprentice.config.json when present)')
    .option('--data-dir <dir>', 'embedded storage directory (default ./.apprentice)')
    .option('-p, --port <port>', 'port (default 8080)')
    .option('--rate <n>', 'simulated decisions per second', '40')
    .option('--seed <n>', 'simulator seed', '1')
    .action((flags: DemoFlags) => runServe(...demoServeArgs(flags)));
}
