import { join, resolve } from 'node:path';
import type { TokenStore } from '../security/index.js';
import { DecisionEngine } from '../decisions/index.js';
import type { SqlClient } from '../log/index.js';
import type { Apprentice } from './create-apprentice.js';
import type { RouteModule } from '../core/index.js';
import type { ServerOptions } from './server-context.js';
import type { ServerContext } from './server-context.js';
import { createCachedTokenStore, createSqlTokenStore } from '../security/index.js';
import { createAuth, type AuthControl } from '../security/index.js';
import type { ContextPolicy, ContextProtector } from '../security/index.js';
import { inputGuard } from '../security/index.js';
import { decisionPresenter } from '../security/index.js';
import { applyRetention, DataClass } from '../security/index.js';
import { securityRoutes } from '../security/index.js';
import { createSecurityRuntime, type SecurityRuntime } from '../security/index.js';
import { tokenRoutes } from '../security/index.js';

export interface InstallSecurityOptions {
  /** Keys and crypto. Default: `createSecurityRuntime({ dataDir: apprentice.config.dataDir })`. */
  readonly runtime?: SecurityRuntime;
  /**
   * The engine behind `POST /decide`; it must have been built with
   * `protectContext: runtime.protector.protect`. Default: a DecisionEngine over
   * `apprentice.writer` with the protector (createApprentice's own engine has none yet).
   */
  readonly engine?: DecisionEngine;
  /** Default: the SQL token store on the event store's database. */
  readonly tokens?: TokenStore;
  /** `/metrics` without a token. Default true. */
  readonly metricsOpen?: boolean;
  /** Context policy per agent (when no runtime is given). */
  readonly agentPolicy?: (agent: string) => ContextPolicy | undefined;
  /** Retention archives. Default `<dataDir>/archive`. */
  readonly archiveDir?: string;
  /** Deepest accepted JSON nesting of a request body. Default 64. */
  readonly maxBodyDepth?: number;
  /**
   * Run the retention job in this process: decisions older than `olderThanDays` archived and
   * purged from the projections every `intervalMs` (default 24 h). Default: off (use
   * `apprentice retention` or `POST /api/v1/retention/apply`).
   */
  readonly retention?: {
    readonly olderThanDays: number;
    readonly intervalMs?: number;
    readonly onError?: (e: unknown) => void;
  };
  /** Default `process.env` (master key variables). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface InstalledSecurity {
  readonly server: ServerOptions & {
    readonly routes: readonly RouteModule<ServerContext>[];
    readonly context: Partial<Omit<ServerContext, 'apprentice'>>;
  };
  readonly protector: ContextProtector;
  readonly runtime: SecurityRuntime;
  readonly auth: AuthControl;
  readonly tokens: TokenStore;
  /** How token changes reach this process now: `notify` (LISTEN connected) or `poll` (every 2 s). */
  tokenPropagation(): 'notify' | 'poll';
  /** Say it at start: whether the API requires tokens, and why. */
  readonly startMessage: string;
  stop(): Promise<void>;
}

const LOOPBACK = /^(127(?:\.\d{1,3}){3}|localhost|::1|\[::1\])$/i;
export const isLoopback = (host: string): boolean => LOOPBACK.test(host.trim());

/** The SQL client under an event store, when it has one (both built-in stores do). */
export function sqlClientOf(a: Pick<Apprentice, 'store'>): SqlClient | undefined {
  const c = (a.store as unknown as { client?: SqlClient }).client;
  return c !== undefined && typeof c.query === 'function' ? c : undefined;
}

/**
 * Wires security into the service: bearer-token auth on every route (open only for an
 * embedded start on 127.0.0.1 with no token and `requireAuth` off), token/erasure/key/
 * retention routes, context protection on `POST /decide` (PII redacted, whole context
 * AES-256-GCM encrypted, per-subject keys for crypto-shredding) and decryption on
 * `GET /api/v1/decisions/{id}`.
 * @example
 * const sec = await installSecurity(apprentice, {});
 * const app = await buildServer(apprentice, { routes: [...sec.server.routes], context: sec.server.context });
 * process.stderr.write(sec.startMessage + '\n');
 */
/** The channel the tokens table's trigger notifies on (migrations/060_api_tokens_notify.sql). */
export const TOKENS_CHANNEL = 'apprentice_tokens';
const TOKENS_POLL_MS = 2000;
const TOKENS_SAFETY_POLL_MS = 30_000;

export async function installSecurity(
  a: Apprentice,
  options: InstallSecurityOptions = {},
): Promise<InstalledSecurity> {
  const runtime =
    options.runtime ??
    (await createSecurityRuntime({
      dataDir: a.config.dataDir,
      ...(options.env ? { env: options.env } : {}),
      ...(options.agentPolicy ? { agentPolicy: options.agentPolicy } : {}),
    }));
  const db = sqlClientOf(a);
  const stored = options.tokens ?? (db ? createSqlTokenStore(db) : undefined);
  if (stored === undefined)
    throw new Error('installSecurity needs a token store: the event store has no SQL client');
  // Verified tokens are served from memory (auth survives a database outage). The list is
  // re-read on every change to the tokens table (a trigger NOTIFYs TOKENS_CHANNEL; this process
  // LISTENs), so a revocation or a token created by anyone (CLI or API, any instance) takes
  // effect everywhere at once and ends open mode (issue 10, cases 4 and 7). Polling stays as the
  // fallback: every 2 s while LISTEN is not connected (PGlite, or reconnecting), 30 s while it is.
  const late: { auth?: AuthControl } = {};
  const tokens = createCachedTokenStore(stored, {
    refreshMs: TOKENS_POLL_MS,
    onTokens: (n) => (n > 0 && late.auth?.isOpen() ? late.auth.enforce() : undefined),
  });
  let propagation: 'notify' | 'poll' = 'poll';
  const unlisten =
    options.tokens === undefined && db?.listen
      ? db.listen(
          TOKENS_CHANNEL,
          () => void tokens.refresh(),
          (listening) => {
            propagation = listening ? 'notify' : 'poll';
            tokens.setRefreshMs(listening ? TOKENS_SAFETY_POLL_MS : TOKENS_POLL_MS);
            // Changes made while LISTEN was down are picked up as soon as it is back.
            if (listening) void tokens.refresh();
          },
        )
      : undefined;
  const active = (await tokens.list()).filter(
    (t) => t.revokedAt === undefined && (t.expiresAt === undefined || Date.parse(t.expiresAt) > Date.now()),
  );
  const loopback = isLoopback(a.config.host);
  const open = loopback && !a.config.requireAuth && active.length === 0;
  const auth = createAuth({
    tokens,
    open,
    ...(options.metricsOpen === undefined ? {} : { metricsOpen: options.metricsOpen }),
  });
  late.auth = auth;
  const record = (e: Parameters<typeof a.writer.record>[0]): void => a.writer.record(e);
  const protector = runtime.protector;
  const engine =
    options.engine ?? new DecisionEngine({ writer: a.writer, protectContext: protector.protect });

  const archiveDir = options.archiveDir ?? join(resolve(a.config.dataDir), 'archive');
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const retention = options.retention;
  if (retention !== undefined && db !== undefined) {
    const tick = (): void => {
      running ??= applyRetention({
        db,
        dataClass: DataClass.decisions,
        olderThanDays: retention.olderThanDays,
        archiveDir,
        record,
        actor: 'retention-job',
      })
        .catch((e: unknown) => retention.onError?.(e))
        .finally(() => (running = undefined));
    };
    timer = setInterval(tick, retention.intervalMs ?? 86_400_000);
    timer.unref();
  }

  const routes: RouteModule<ServerContext>[] = [
    auth.routes,
    inputGuard(options.maxBodyDepth),
    tokenRoutes({ tokens, record, onCreated: () => auth.enforce() }),
    securityRoutes({ runtime, record, db, archiveDir }),
  ];
  const context: Partial<Omit<ServerContext, 'apprentice'>> = {
    async decide(agent, unitId, ctx, deterministic, subjectId) {
      // The subject's key loads asynchronously here; the engine then stores only its keyed ref.
      const ref = subjectId === undefined ? undefined : await protector.prepare(agent, ctx, subjectId);
      return engine.decide(agent, unitId, ctx, deterministic, ref);
    },
    presentDecision: decisionPresenter(protector),
  };

  const keyNote = `master keys: ${runtime.keys.source === 'env' ? 'APPRENTICE_MASTER_KEY' : (runtime.keys.file ?? '')}${runtime.keys.source === 'created' ? ' (created)' : ''}`;
  const startMessage = open
    ? `API auth is OFF: embedded start on ${a.config.host} with no API token (anyone on this machine can call every endpoint). Create a token with \`apprentice tokens create --name <you> --role admin\` or set requireAuth to turn it on; ${keyNote}`
    : active.length === 0
      ? `API auth is ON (${loopback ? 'requireAuth' : `bind address ${a.config.host}`}) but no API token exists yet: create one with \`apprentice tokens create --name <you> --role admin\`; ${keyNote}`
      : `API auth is ON: ${active.length} active API token(s); ${keyNote}`;

  return {
    server: { routes, context },
    protector,
    runtime,
    auth,
    tokens,
    tokenPropagation: () => propagation,
    startMessage,
    async stop() {
      clearInterval(timer);
      tokens.close();
      await unlisten?.().catch(() => undefined);
      await running;
    },
  };
}
