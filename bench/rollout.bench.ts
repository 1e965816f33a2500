import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type InstalledExperiments, installExperiments } from '../src/runtime/install-experiments.js';
import { rolloutFlag, rolloutFlagKey } from '../src/experiments/flags/rollout-flag.js';
import type { FlagStore } from '../src/experiments/flags/store/flag-store.js';
import { type Apprentice, createApprentice } from '../src/runtime/create-apprentice.js';
import { type BenchSuite, type Figure, fig, summarize } from './harness.js';

/**
 * Control-path propagation across two apprentice instances in one process that share a
 * PostgreSQL schema and a Redis prefix (local servers, as in production minus the network):
 * - `flag-propagation`: `setPercentage` on instance A (append to PostgreSQL + publish) until
 *   instance B has applied it to its evaluator (Redis pub/sub), p99 over rounds.
 * - `rollback-propagation`: `POST /api/v1/rollback`'s work on A (every rollout flag to 0 in
 *   parallel, then the audit events) until B routes every agent to the rules, p99 over rounds.
 */

const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const AGENTS = ['code-reviewer', 'deployment-specialist', 'detektor-coder', 'architecture-advisor', 'debugger', 'documentation-keeper', 'pisarz', 'pr-manager'];
const FLAG_ROUNDS = 200;
const ROLLBACK_ROUNDS = 30;

/** performance.now() when `store` has applied changes of all `keys` to `percentage` from elsewhere. */
function arrival(store: FlagStore, keys: readonly string[], percentage: number): Promise<number> {
  const pending = new Set(keys);
  return new Promise((resolve) => {
    const off = store.onChange((c) => {
      if (c.via !== 'local' && c.after?.definition.metadata?.percentage === percentage) pending.delete(c.key);
      if (pending.size === 0) {
        off();
        resolve(performance.now());
      }
    });
  });
}

async function withInstances(run: (x: InstalledExperiments, y: InstalledExperiments) => Promise<Figure[]>): Promise<Figure[]> {
  const schema = `bench_rollout_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-bench-rollout-'));
  const prefix = `bench:rollout:${randomBytes(4).toString('hex')}:`;
  const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const apprentices: Apprentice[] = [];
  const installed: InstalledExperiments[] = [];
  try {
    for (const name of ['a', 'b']) {
      const a = await createApprentice({ config: { databaseUrl, redisUrl: REDIS_URL, redisPrefix: prefix, dataDir: join(dir, name), logLevel: 'silent' }, instanceId: name, projector: false });
      apprentices.push(a);
      installed.push(await installExperiments(a, { schedule: false, flagResyncIntervalMs: 0 }));
    }
    return await run(installed[0]!, installed[1]!);
  } finally {
    for (const x of installed) await x.stop();
    for (const a of apprentices) await a.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function flagPropagation(x: InstalledExperiments, y: InstalledExperiments): Promise<Figure> {
  const key = rolloutFlagKey('debugger');
  await x.flags.put(key, rolloutFlag('debugger', 0), { actor: 'bench' });
  await y.flags.resync();
  const samples: number[] = [];
  for (let i = 1; i <= FLAG_ROUNDS; i++) {
    const pct = i % 100;
    const arrived = arrival(y.flags, [key], pct);
    const t0 = performance.now();
    await x.flags.setPercentage(key, pct, { actor: 'bench' });
    samples.push((await arrived) - t0);
  }
  const s = summarize(samples);
  return fig({ name: 'flag-propagation', value: s.p99, unit: 'ms', target: '<= 100 (p99)', ok: s.p99 <= 100, note: `p50 ${s.p50.toFixed(2)} ms over ${s.n} changes (PostgreSQL append + Redis pub/sub)` });
}

async function rollbackPropagation(x: InstalledExperiments, y: InstalledExperiments): Promise<Figure> {
  const keys = AGENTS.map(rolloutFlagKey);
  const samples: number[] = [];
  for (let i = 0; i < ROLLBACK_ROUNDS; i++) {
    await Promise.all(AGENTS.map((a) => x.flags.put(rolloutFlagKey(a), rolloutFlag(a, 25), { actor: 'bench' })));
    await y.flags.resync();
    const arrived = arrival(y.flags, keys, 0);
    const t0 = performance.now();
    await x.controller.emergencyRollback({ actor: 'bench', reason: `round ${i}` });
    samples.push((await arrived) - t0);
    if (AGENTS.some((a) => y.router(a, 'unit-1').variant !== 'deterministic')) throw new Error('instance B still routes to the model');
  }
  const s = summarize(samples);
  return fig({ name: 'rollback-propagation', value: s.p99, unit: 'ms', target: '<= 1000 (p99)', ok: s.p99 <= 1000, note: `p50 ${s.p50.toFixed(2)} ms over ${s.n} emergency rollbacks of ${AGENTS.length} agents` });
}

const suite: BenchSuite = {
  name: 'rollout',
  figures: ['flag-propagation', 'rollback-propagation'],
  run: (only) =>
    withInstances(async (x, y) => {
      const out: Figure[] = [];
      if (!only || only === 'flag-propagation' || only === 'rollout') out.push(await flagPropagation(x, y));
      if (!only || only === 'rollback-propagation' || only === 'rollout') out.push(await rollbackPropagation(x, y));
      return out;
    }),
};

export default suite;
