import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, type FieldIssue } from './errors.js';
import { RolloutPolicyInputSchema, WebhookTargetSchema, issuePath } from './rollout-config.js';

const url = (schemes: readonly string[], example: string) =>
  z.string().refine(
    (v) => {
      try {
        return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL like ${example}` },
  );

/** The one typed configuration. Every field has a default: nothing is required embedded. */
export const ConfigSchema = z
  .object({
    /** Bind address. Default `127.0.0.1`. Any other address requires API tokens. */
    host: z.string().min(1).default('127.0.0.1'),
    /** HTTP port. Default 8080. */
    port: z.number().int().min(0).max(65535).default(8080),
    /** HTTPS: PEM certificate (chain) file; with `tlsKey` the server speaks HTTPS only. Default unset: plain HTTP. */
    tlsCert: z.string().min(1).optional(),
    /** HTTPS: PEM private key file of `tlsCert` (unencrypted). */
    tlsKey: z.string().min(1).optional(),
    /** Embedded storage, spool, model artifacts and keys. Default `./.apprentice`. */
    dataDir: z.string().min(1).default('./.apprentice'),
    /** PostgreSQL event store; unset = embedded PGlite under dataDir. */
    databaseUrl: url(['postgres', 'postgresql'], 'postgres://user@host:5432/db').optional(),
    /** Redis bus, cache and flag distribution; unset = in-process. */
    redisUrl: url(['redis', 'rediss'], 'redis://127.0.0.1:6379').optional(),
    /**
     * Seed nodes of a Redis Cluster for the learning bus (node-redis `createCluster`); each topic's
     * keys share a `{topic}` hash tag, so a topic's stream and groups stay on one shard. The cache,
     * flag distribution and feature store stay on `redisUrl` (required with it). Default unset.
     */
    redisCluster: z.array(url(['redis', 'rediss'], 'redis://10.0.0.1:6379')).min(1).max(64).optional(),
    /** Redis key prefix. Default `apprentice:`. */
    redisPrefix: z.string().regex(/^[A-Za-z0-9:_-]{1,64}$/).default('apprentice:'),
    /** Learning, shadow and ML serving. Default true; false serves the rules only. */
    mlEnabled: z.boolean().default(true),
    /** Largest accepted request body. Default 1 MiB. */
    bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /** Log level. Default `info`. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Require bearer tokens even on localhost. Default false on 127.0.0.1, always true elsewhere. */
    requireAuth: z.boolean().default(false),
    /** Global rollout policy; each agent definition's `rollout` is merged over it (README "Rollout policy"). Default: the built-in policy. */
    rollout: RolloutPolicyInputSchema.optional(),
    /**
     * The learning throttle (event-loop pressure sheds learning and shadow work): the p99 delay
     * (ms) and ELU above which it throttles and at or below which it counts as calm, or `false`
     * to turn it and the impact probes off (e.g. a shared, oversubscribed host where the loop is
     * never calm). Default on: 50/20 ms, ELU 0.9/0.7.
     */
    learningThrottle: z
      .union([
        z.literal(false),
        z
          .object({
            highDelayMs: z.number().gt(0).optional(),
            lowDelayMs: z.number().min(0).optional(),
            highElu: z.number().gt(0).max(1).optional(),
            lowElu: z.number().min(0).max(1).optional(),
          })
          .strict(),
      ])
      .optional(),
    /** Outbound webhooks: a signed JSON POST on every rollout step change, breaker change and drift hold. Default none. */
    webhooks: z.array(WebhookTargetSchema).max(20).default([]),
    /**
     * What holds an acknowledged decision before the event store does (README "Failure modes").
     * `memory`: a buffer (lost if the process dies); `local`: a write to the journal under
     * dataDir before decide returns (survives a process crash); `fsync`: plus group commit
     * before the HTTP reply (survives a machine crash). Default `local`.
     */
    durability: z.enum(['memory', 'local', 'fsync']).default('local'),
    /**
     * Cold tiering (`apprentice tier`): monthly partitions of the event log whose range ended more
     * than this many days ago move to compressed NDJSON in the artifact store. Default 90.
     */
    coldAfterDays: z.number().int().min(1).max(36_500).default(90),
    /**
     * How long Redis keeps each decision (and its outcome) for other instances to read
     * (`CachedDecisionReader` L2): Redis holds about rate × this × 1 KB (900 s at 50 decisions/s:
     * about 45 MB). Older decisions are read from the event store. Default 900.
     */
    decisionCacheTtlSeconds: z.number().int().min(1).max(7 * 86_400).default(900),
    /**
     * Decisions (with their outcomes) each process keeps in memory for recording outcomes and
     * reading its own writes (`CachedDecisionReader` L1, about 1.6 KB each); older ones are read
     * from Redis or the event store. Default 50,000 with `databaseUrl` (100 s at 500/s), 10,000
     * embedded (100 s at 100/s; the embedded store is in the same process).
     */
    decisionCacheEntries: z.number().int().min(100).max(10_000_000).optional(),
    /**
     * Scheduled cold tiering in the service (roles `worker` and `all`; in a fleet the controller's
     * leader runs it): hours between runs, 0 = never (run `apprentice tier` or
     * `POST /api/v1/admin/tier` instead). Default 24 with `databaseUrl`; 0 embedded (PGlite has one
     * connection: decisions wait while a partition is written out and dropped).
     */
    tierIntervalHours: z.number().min(0).max(8760).optional(),
    /** Deadline of every PostgreSQL statement (server- and client-side), ms. Default 15,000. */
    databaseStatementTimeoutMs: z.number().int().min(100).max(3_600_000).default(15_000),
    /** Longest a graceful stop (SIGTERM/SIGINT) may take before it abandons what is left, ms. Default 10,000. */
    shutdownTimeoutMs: z.number().int().min(0).max(600_000).default(10_000),
    /**
     * Where model artifacts live: `filesystem` (under dataDir/models), `postgres` (the event
     * store's database, content-addressed: every instance loads every version) or `s3`
     * (S3-compatible: MinIO, S3, R2; see `s3`). Default: `postgres` when `databaseUrl` is set,
     * else `filesystem`.
     */
    artifactStore: z.enum(['filesystem', 'postgres', 's3']).optional(),
    /** S3-compatible artifact storage, for `artifactStore: 's3'`. Credentials default to the AWS SDK's chain. */
    s3: z
      .object({
        bucket: z.string().min(3).max(63),
        endpoint: url(['http', 'https'], 'http://127.0.0.1:9000').optional(),
        region: z.string().min(1).default('us-east-1'),
        prefix: z.string().max(200).default('apprentice/models/'),
        accessKeyId: z.string().min(1).optional(),
        secretAccessKey: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ApprenticeConfig = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

const ENV: Readonly<Record<string, { key: keyof ApprenticeConfig; type: 'string' | 'number' | 'boolean' | 'list' }>> = {
  DATABASE_URL: { key: 'databaseUrl', type: 'string' },
  REDIS_URL: { key: 'redisUrl', type: 'string' },
  REDIS_CLUSTER_NODES: { key: 'redisCluster', type: 'list' },
  APPRENTICE_HOST: { key: 'host', type: 'string' },
  APPRENTICE_PORT: { key: 'port', type: 'number' },
  APPRENTICE_TLS_CERT: { key: 'tlsCert', type: 'string' },
  APPRENTICE_TLS_KEY: { key: 'tlsKey', type: 'string' },
  APPRENTICE_DATA_DIR: { key: 'dataDir', type: 'string' },
  APPRENTICE_REDIS_PREFIX: { key: 'redisPrefix', type: 'string' },
  APPRENTICE_ML_ENABLED: { key: 'mlEnabled', type: 'boolean' },
  ML_ENABLED: { key: 'mlEnabled', type: 'boolean' },
  APPRENTICE_LOG_LEVEL: { key: 'logLevel', type: 'string' },
  APPRENTICE_BODY_LIMIT_BYTES: { key: 'bodyLimitBytes', type: 'number' },
  APPRENTICE_REQUIRE_AUTH: { key: 'requireAuth', type: 'boolean' },
  APPRENTICE_DURABILITY: { key: 'durability', type: 'string' },
  APPRENTICE_SHUTDOWN_TIMEOUT_MS: { key: 'shutdownTimeoutMs', type: 'number' },
  APPRENTICE_ARTIFACT_STORE: { key: 'artifactStore', type: 'string' },
  APPRENTICE_DB_STATEMENT_TIMEOUT_MS: { key: 'databaseStatementTimeoutMs', type: 'number' },
  APPRENTICE_COLD_AFTER_DAYS: { key: 'coldAfterDays', type: 'number' },
  APPRENTICE_DECISION_CACHE_TTL_SECONDS: { key: 'decisionCacheTtlSeconds', type: 'number' },
  APPRENTICE_DECISION_CACHE_ENTRIES: { key: 'decisionCacheEntries', type: 'number' },
  APPRENTICE_TIER_INTERVAL_HOURS: { key: 'tierIntervalHours', type: 'number' },
};

function fromEnv(env: NodeJS.ProcessEnv, issues: FieldIssue[]): Partial<Record<keyof ApprenticeConfig, unknown>> {
  const out: Partial<Record<keyof ApprenticeConfig, unknown>> = {};
  for (const [name, { key, type }] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (type === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) issues.push({ path: name, message: `must be a number, got "${raw}"` });
      else out[key] = n;
    } else if (type === 'boolean') {
      if (/^(1|true|yes|on)$/i.test(raw)) out[key] = true;
      else if (/^(0|false|no|off)$/i.test(raw)) out[key] = false;
      else issues.push({ path: name, message: `must be true or false, got "${raw}"` });
    } else if (type === 'list') {
      out[key] = raw.split(',').map((x) => x.trim()).filter(Boolean);
    } else out[key] = raw;
  }
  return out;
}

export interface LoadConfigOptions {
  /** Config file; default `apprentice.config.json` in the working directory when present. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Highest precedence (CLI flags). `undefined` values are ignored. */
  readonly overrides?: Partial<ConfigInput>;
}

/**
 * Load and validate the configuration once: file < environment < overrides. A bad value
 * throws `ConfigError` naming every offending field and rule.
 */
export function loadConfig(options: LoadConfigOptions = {}): ApprenticeConfig {
  const issues: FieldIssue[] = [];
  let file: Record<string, unknown> = {};
  const path = options.file ?? (existsSync('apprentice.config.json') ? 'apprentice.config.json' : undefined);
  if (path) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(resolve(path), 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        issues.push({ path, message: 'must contain a JSON object' });
      else file = parsed as Record<string, unknown>;
    } catch (e) {
      issues.push({ path, message: `cannot be read as JSON: ${(e as Error).message}` });
    }
  }
  const env = fromEnv(options.env ?? process.env, issues);
  const overrides = Object.fromEntries(Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined));
  const merged = { ...file, ...env, ...overrides };
  const r = ConfigSchema.safeParse(merged);
  if (!r.success) {
    for (const i of r.error.issues) issues.push({ path: issuePath(i.path) || '(root)', message: i.message });
  } else if (r.data.redisCluster !== undefined && r.data.redisUrl === undefined) {
    issues.push({ path: 'redisUrl', message: 'redisCluster carries the bus only: set redisUrl too (cache, flag distribution, feature store)' });
  }
  if (issues.length > 0 || !r.success) {
    throw new ConfigError(`invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return r.data;
}
