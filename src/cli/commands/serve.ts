import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError } from '../../core/index.js';
import { createApprentice, type Apprentice } from '../../runtime/index.js';
import { installPlatform, SERVE_ROLES, type PlatformOptions, type ServeRole } from '../../runtime/index.js';
import { buildServer } from '../../server/index.js';
import type { ServerOptions } from '../../runtime/index.js';
import { configFrom, storageOptions, type GlobalFlags } from '../common.js';
import { localSecret, writeServerFile } from '../server-file.js';

export interface ServeFlags extends GlobalFlags {
  readonly host?: string;
  readonly port?: string;
  readonly ml?: boolean;
  readonly projector?: boolean;
  readonly controller?: boolean;
  /** `api`, `worker` or `all` (default). */
  readonly role?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/** The PEM files of `tlsCert`/`tlsKey`, both or neither; unreadable files are a configuration error naming them. */
function httpsOf(config: { tlsCert?: string | undefined; tlsKey?: string | undefined }): { cert: Buffer; key: Buffer } | undefined {
  if (config.tlsCert === undefined && config.tlsKey === undefined) return undefined;
  if (config.tlsCert === undefined || config.tlsKey === undefined)
    throw new ConfigError('HTTPS needs a certificate and its key', [{ path: config.tlsCert === undefined ? 'tlsCert' : 'tlsKey', message: 'set both tlsCert and tlsKey (--tls-cert, --tls-key), or neither' }]);
  const read = (path: 'tlsCert' | 'tlsKey', file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new ConfigError(`cannot read ${path} ${file}`, [{ path, message: (e as Error).message }], { cause: e });
    }
  };
  return { cert: read('tlsCert', config.tlsCert), key: read('tlsKey', config.tlsKey) };
}

/** Extra wiring for `serve` (the demo adds its workload here). */
export type ServeExtension = (a: Apprentice, platform: Awaited<ReturnType<typeof installPlatform>>) => Promise<{ server?: ServerOptions; stop?: () => Promise<void>; message?: string }>;

/** What `serve` (and `demo`) wire, before listening: the one place that composes them. */
export async function buildServe(flags: ServeFlags, platformOptions: PlatformOptions = {}, extra: readonly ServeExtension[] = []) {
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new ConfigError('invalid --port', [{ path: 'port', message: 'must be an integer from 0 to 65535' }]);
  const role = (flags.role ?? platformOptions.role ?? 'all') as ServeRole;
  if (!SERVE_ROLES.includes(role)) throw new ConfigError('invalid --role', [{ path: 'role', message: `must be one of ${SERVE_ROLES.join(', ')}` }]);
  const config = configFrom(flags, { host: flags.host, port, tlsCert: flags.tlsCert, tlsKey: flags.tlsKey, ...(flags.ml === false ? { mlEnabled: false } : {}) });
  const https = httpsOf(config);
  if (role !== 'all' && (!config.databaseUrl || !config.redisUrl))
    throw new ConfigError(`--role ${role} needs a shared store and bus`, [
      { path: config.databaseUrl ? 'redisUrl' : 'databaseUrl', message: `set DATABASE_URL and REDIS_URL: the ${role === 'api' ? 'workers project and train' : 'API instances serve'} from the same PostgreSQL and Redis` },
    ]);
  // API instances never project: the workers consume the bus into the store.
  // The process's own figures beside apprentice's (prom-client's defaults: process_resident_memory_bytes,
  // nodejs_heap_size_used_bytes, nodejs_eventloop_lag_*...): the bound on memory is watched in production too.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const a = await createApprentice({ config, registry, projector: role !== 'api' && flags.projector !== false });
  const platform = await installPlatform(a, { ...platformOptions, role, ...(flags.controller === false ? { controller: false } : {}) });
  const parts = await Promise.all(extra.map((e) => e(a, platform)));
  const logger = config.logLevel === 'silent' ? false : { level: config.logLevel };
  const app =
    role === 'worker'
      ? // Health and metrics only, behind the same token check as the API.
        await buildServer(a, { surface: 'health', routes: [platform.security.auth.routes], context: { healthChecks: platform.server.context?.healthChecks ?? [] }, logger, ...(https ? { https } : {}) })
      : await buildServer(a, {
          ...(https ? { https } : {}),
          routes: [...(platform.server.routes ?? []), ...parts.flatMap((p) => p.server?.routes ?? [])],
          context: { ...platform.server.context },
          logger,
        });
  return { config, a, platform, parts, app, role };
}

export async function runServe(flags: ServeFlags, platformOptions: PlatformOptions = {}, extra: readonly ServeExtension[] = []): Promise<void> {
  const { config, a, platform, parts, app, role } = await buildServe(flags, platformOptions, extra);
  const address = await app.listen({ host: config.host, port: config.port });
  // The CLI finds this server through the data directory and goes through its API (issue 14):
  // the embedded store and the journal are this process's alone while it runs.
  let removeServerFile: (() => void) | undefined;
  if (role !== 'worker') {
    const token = localSecret();
    platform.security.auth.allowLocal(token);
    // An HTTPS server leaves its certificate for the CLI to trust (self-signed ones included).
    const cert = config.tlsCert ? readFileSync(config.tlsCert, 'utf8') : undefined;
    removeServerFile = writeServerFile(config.dataDir, { url: address, token, ...(cert ? { cert } : {}) });
    process.once('exit', removeServerFile);
  }
  const storage = config.databaseUrl ? 'PostgreSQL' : `embedded PGlite in ${config.dataDir}`;
  const runs =
    role === 'api' ? 'decisions and outcomes; no projector, training, controller or drift monitor' : role === 'worker' ? 'projector, training, rollout controller (leader lease), drift monitor; HTTP: health and metrics only' : 'everything';
  process.stderr.write(
    `apprentice listening on ${address} (role ${role}: ${runs}; store: ${storage}; bus: ${config.redisUrl ? 'Redis' : 'in-process'}; ML ${config.mlEnabled ? 'on' : 'off'})\n` +
      `${platform.startMessage}\n` +
      parts.map((p) => (p.message ? `${p.message}\n` : '')).join(''),
  );
  let stopping = false;
  /**
   * Graceful stop, bounded by `shutdownTimeoutMs` (default 10 s): each step gets what is left of
   * the budget; a step still running then is abandoned and named. Anything the writer had not
   * handed to the bus stays in the journal/spool and is resent at the next start.
   */
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stderr.write('apprentice stopping...\n');
    removeServerFile?.();
    const deadline = Date.now() + config.shutdownTimeoutMs;
    const abandoned: string[] = [];
    const step = async (name: string, work: () => Promise<unknown>): Promise<void> => {
      const left = deadline - Date.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        work().then(
          () => 'done' as const,
          (e: unknown) => {
            process.stderr.write(`apprentice: stopping ${name} failed: ${e instanceof Error ? e.message : String(e)}\n`);
            return 'done' as const;
          },
        ),
        new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), Math.max(0, left)))),
      ]);
      clearTimeout(timer);
      if (outcome === 'late') abandoned.push(name);
    };
    await step('http server', () => app.close());
    for (const [i, p] of parts.entries()) if (p.stop) await step(`extension ${i + 1}`, p.stop);
    await step('platform (controller, learners, drift, security)', () => platform.stop());
    await step('core (writer flush, projector, bus, store)', () => a.close());
    if (abandoned.length > 0) {
      process.stderr.write(
        `apprentice stopped after ${config.shutdownTimeoutMs} ms, abandoning: ${abandoned.join('; ')} (unsent events stay in the journal/spool and are resent at the next start)\n`,
      );
      process.exit(1);
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

export function serveCommand(): Command {
  return storageOptions(new Command('serve'))
    .description('run the HTTP API, decision gateway, /metrics and (embedded) the projector and learners; in a fleet, one role per process (--role)')
    .addOption(
      new Option(
        '--role <role>',
        'api: decide/outcome and the API, never the projector, training, controller or drift loops; ' +
          'worker: projector, training, the rollout controller (one leader per fleet, PostgreSQL lease) and drift, HTTP /health, /health/aggregate, /metrics only; ' +
          'all: both (api and worker need DATABASE_URL and REDIS_URL)',
      )
        .choices([...SERVE_ROLES])
        .default('all'),
    )
    .option('--host <host>', 'bind address (env APPRENTICE_HOST, default 127.0.0.1; any other address requires API tokens)')
    .option('-p, --port <port>', 'port (env APPRENTICE_PORT, default 8080)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain) file, with --tls-key (env APPRENTICE_TLS_CERT)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert, unencrypted (env APPRENTICE_TLS_KEY)')
    .option('--no-ml', 'serve the rules only: no learning, no shadow, no model (env ML_ENABLED=false)')
    .option('--no-projector', 'do not consume the bus here (run `apprentice worker` processes instead)')
    .option('--no-controller', 'do not run the rollout schedule here (run it on one instance of a fleet)')
    .action((flags: ServeFlags) => runServe(flags));
}
