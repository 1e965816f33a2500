import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { createClient } from 'redis';
import { privateRedis, type PrivateRedis } from '../../src/log/bus/testing/private-redis.js';
import { runCli, startCli, type RunningServer } from '../support/cli-process.js';
import { createTestSchema, type TestSchema } from '../support/services.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

/**
 * The chaos suite's test bed (issue 10): the built `apprentice serve` under a steady decision
 * load, with a private `redis-server` it may kill and a TCP proxy in front of the shared
 * PostgreSQL it may cut or freeze. It counts what was acknowledged, stored, duplicated and
 * dead-lettered, and records every health state it saw.
 */
export interface ChaosBed {
  readonly redis: PrivateRedis;
  readonly pgProxy: TcpProxy;
  readonly dataDir: string;
  readonly prefix: string;
  server: RunningServer | undefined;
  start(extraEnv?: NodeJS.ProcessEnv): Promise<RunningServer>;
  load(options?: LoadOptions): Load;
  /** Run the CLI against the same PostgreSQL (directly, not through the proxy) with its own data dir. */
  cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  health(token?: string): HealthWatch;
  /** Decisions stored per decision id. */
  storedCounts(): Promise<Map<string, number>>;
  /** Decision ids in the dead-letter stream. */
  deadLettered(): Promise<Set<string>>;
  /** Wait until every acknowledged decision is stored; then count lost and duplicated ones. */
  settle(acknowledged: readonly string[], deadlineMs?: number): Promise<Tally>;
  close(): Promise<void>;
}

export interface Tally {
  readonly acknowledged: number;
  readonly stored: number;
  readonly lost: readonly string[];
  readonly duplicated: readonly string[];
  readonly deadLettered: readonly string[];
}

export interface LoadOptions {
  /** Requests in flight. Default 4. */
  readonly concurrency?: number;
  /** Pause between a worker's requests, ms. Default 5. */
  readonly pauseMs?: number;
  /** Give up on one request after this long, ms. Default 5000. */
  readonly requestTimeoutMs?: number;
  readonly context?: (i: number) => Record<string, unknown>;
  /** Bearer token sent with every request. */
  readonly token?: string;
}

export interface Load {
  /** Decision ids answered 200. */
  readonly acknowledged: string[];
  readonly failures: Map<string, number>;
  /** Slowest request seen, ms (for the report, never asserted beyond deadlines). */
  readonly slowestMs: () => number;
  stop(): Promise<void>;
}

export interface HealthWatch {
  readonly seen: { at: number; status: string; problems: string[] }[];
  /**
   * Wait until `/health/aggregate` reports a status in `statuses`; returns ms from the call to
   * the first poll that saw it. `measure` names the wait in the CHAOS_REPORT (called right after
   * a fault starts: detect; right after it ends: recover).
   */
  waitFor(statuses: readonly string[], deadlineMs: number, measure?: 'detect' | 'recover'): Promise<number>;
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Issue 10 asks health to show a fault within 5 s of its start and the recovery within 5 s of
 * its end. Tests never assert wall-clock times: with CHAOS_REPORT=<file> set, every wait for a
 * health state appends what it measured (test name, detect|recover, ms) as a JSON line, and
 * `npm run bench -- --only chaos-health` runs this suite and prints the figures beside the target.
 */
function reportTiming(kind: 'detect' | 'recover', ms: number): void {
  const file = process.env.CHAOS_REPORT;
  if (!file) return;
  const test = expect.getState().currentTestName ?? 'unknown';
  appendFileSync(file, `${JSON.stringify({ test, kind, ms })}\n`);
}

/** A steady decide load against whatever `url()` returns now (undefined: the server is down). */
export function startLoad(url: () => string | undefined, options: LoadOptions = {}): Load {
  const acknowledged: string[] = [];
  const failures = new Map<string, number>();
  let running = true;
  let slowest = 0;
  let i = 0;
  const worker = async (): Promise<void> => {
    while (running) {
      const base = url();
      const n = i++;
      if (!base) {
        await sleep(20);
        continue;
      }
      const t0 = Date.now();
      try {
        const r = await fetch(`${base}/api/v1/agents/detektor-coder/decide`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
          body: JSON.stringify({ unitId: `task-${n}`, context: options.context?.(n) ?? { storyPoints: (n % 8) + 1 }, deterministic: 6.5 }),
          signal: AbortSignal.timeout(options.requestTimeoutMs ?? 5000),
        });
        const body = (await r.json()) as { decisionId?: string; code?: string };
        if (r.status === 200 && body.decisionId) acknowledged.push(body.decisionId);
        else failures.set(`${r.status} ${body.code ?? ''}`, (failures.get(`${r.status} ${body.code ?? ''}`) ?? 0) + 1);
      } catch (e) {
        const key = e instanceof Error ? e.name : 'error';
        failures.set(key, (failures.get(key) ?? 0) + 1);
        await sleep(20); // server down (killed): don't spin
      }
      slowest = Math.max(slowest, Date.now() - t0);
      await sleep(options.pauseMs ?? 5);
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 4 }, () => worker());
  return {
    acknowledged,
    failures,
    slowestMs: () => slowest,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

export async function chaosBed(name: string): Promise<ChaosBed> {
  const schema: TestSchema = await createTestSchema(`chaos_${name}`);
  const redis = await privateRedis();
  await redis.start();
  const pgProxy = await startTcpProxy('127.0.0.1', 5432);
  const dataDir = mkdtempSync(join(tmpdir(), `apprentice-chaos-${name}-`));
  const prefix = `chaos:${name}:`;
  const direct = new pg.Client({ connectionString: schema.connectionString, options: `-c search_path=${schema.schema}` });
  await direct.connect();
  const databaseUrl = `postgres://postgres@127.0.0.1:${pgProxy.port}/postgres?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;

  const bed: ChaosBed = {
    redis,
    pgProxy,
    dataDir,
    prefix,
    server: undefined,
    async start(extraEnv = {}) {
      const server = await startCli(['serve', '--port', '0', '--no-controller'], {
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        APPRENTICE_DATA_DIR: dataDir,
        APPRENTICE_REDIS_PREFIX: prefix,
        APPRENTICE_LOG_LEVEL: 'silent',
        ...extraEnv,
      });
      bed.server = server;
      return server;
    },
    cli(args) {
      const direct = `postgres://postgres@127.0.0.1:5432/postgres?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
      return runCli(args, { DATABASE_URL: direct, APPRENTICE_DATA_DIR: join(dataDir, 'cli'), APPRENTICE_LOG_LEVEL: 'silent' });
    },
    load(options = {}) {
      return startLoad(() => bed.server?.url, options);
    },
    health(token) {
      const seen: { at: number; status: string; problems: string[] }[] = [];
      let running = true;
      const poll = async (): Promise<void> => {
        while (running) {
          const url = bed.server?.url;
          if (url) {
            try {
              const r = await fetch(`${url}/health/aggregate`, {
                signal: AbortSignal.timeout(3000),
                ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
              });
              const body = (await r.json()) as { status: string; components: { component: string; status: string; detail?: { problems?: string[] } }[] };
              const problems = body.components
                .filter((c) => c.status !== 'ok')
                .map((c) => `${c.component}:${c.status}${c.detail?.problems ? ` (${c.detail.problems.join(', ')})` : ''}`);
              seen.push({ at: Date.now(), status: body.status, problems });
            } catch {
              seen.push({ at: Date.now(), status: 'unreachable', problems: [] });
            }
          }
          await sleep(100);
        }
      };
      void poll();
      return {
        seen,
        async waitFor(statuses, deadlineMs, measure) {
          const from = Date.now();
          const start = seen.length;
          while (Date.now() - from < deadlineMs) {
            const hit = seen.slice(start).find((s) => statuses.includes(s.status));
            if (hit) {
              const ms = hit.at - from;
              if (measure) reportTiming(measure, ms);
              return ms;
            }
            await sleep(50);
          }
          throw new Error(`health never reported ${statuses.join('/')} within ${deadlineMs} ms; saw ${JSON.stringify(seen.slice(start).slice(-5))}`);
        },
        stop() {
          running = false;
        },
      };
    },
    async storedCounts() {
      const r = await direct.query<{ id: string; n: number }>(
        `SELECT data->>'decisionId' AS id, count(*)::int AS n FROM events WHERE type = 'DecisionMade' GROUP BY 1`,
      );
      return new Map(r.rows.map((x) => [x.id, x.n]));
    },
    async deadLettered() {
      const c = createClient({ url: redis.url });
      await c.connect();
      try {
        const entries = await c.xRange(`${prefix}{events}:dlq`, '-', '+');
        const ids = new Set<string>();
        for (const e of entries)
          for (const ev of JSON.parse(e.message.e ?? '[]') as { type: string; data: { decisionId?: string } }[])
            if (ev.type === 'DecisionMade' && ev.data.decisionId) ids.add(ev.data.decisionId);
        return ids;
      } finally {
        await c.quit();
      }
    },
    async settle(acknowledged, deadlineMs = 60_000) {
      const from = Date.now();
      let counts = await bed.storedCounts();
      while (acknowledged.some((id) => !counts.has(id)) && Date.now() - from < deadlineMs) {
        await sleep(250);
        counts = await bed.storedCounts();
      }
      const dead = await bed.deadLettered().catch(() => new Set<string>());
      return {
        acknowledged: acknowledged.length,
        stored: acknowledged.filter((id) => counts.has(id)).length,
        lost: acknowledged.filter((id) => !counts.has(id)),
        duplicated: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
        deadLettered: acknowledged.filter((id) => dead.has(id)),
      };
    },
    async close() {
      await bed.server?.stop('SIGKILL').catch(() => undefined);
      await redis.kill();
      await pgProxy.close();
      await direct.end();
      await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return bed;
}

/** The tally every case asserts: nothing acknowledged lost, duplicated, or dead-lettered. */
export const clean = (t: Tally) => ({ lost: t.lost.length, duplicated: t.duplicated.length, deadLettered: t.deadLettered.length });
