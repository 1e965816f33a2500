import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { NewEvent, DecisionData } from '../src/core/index.js';
import { parseAgentDefinition } from '../src/decisions/agents/agent-definition.js';
import { AgentTrainer } from '../src/learning/training/agent-trainer.js';
import { START } from '../src/log/index.js';
import { decisionEvent, outcomeEvent } from '../src/log/events/testing/fixtures.js';
import { createArtifactStore } from '../src/runtime/artifact-store.js';
import { restoreBackup, writeBackup } from '../src/runtime/backup.js';
import { type Apprentice, createApprentice } from '../src/runtime/create-apprentice.js';
import { installLearning, type InstalledLearning } from '../src/runtime/install-learning.js';
import { type BenchSuite, type Figure, fig, summarize } from './harness.js';

/**
 * Issue 14, a fleet on one PostgreSQL and one Redis (local servers, both instances in this
 * process, each with its own data directory):
 * - `model-pickup-across-instances`: a version registered and made `production` on instance A
 *   (artifact into the PostgreSQL artifact store, registry events into the log) until instance B
 *   serves it (registry follow + artifact load), p99 over rounds. Target: within 1 s.
 * - `backup-throughput`: `writeBackup` of a log of decisions and outcomes (gzip'd NDJSON with a
 *   sha256 trailer); baseline: reading the same log page by page without writing anything.
 * - `restore-throughput`: what `apprentice restore` does with that file in an empty schema: verify,
 *   insert the events in batches without projections, then `replay` (every projection built once,
 *   set-based); baseline: appending the same events straight from memory with their projections.
 *   The note gives the earlier way (projections built on append, before the replay) in a fourth schema.
 */

const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PICKUP_ROUNDS = 20;
const BACKUP_DECISIONS = 50_000;

const def = parseAgentDefinition({
  name: 'debugger',
  kind: 'classification',
  labels: ['flaky', 'bug'],
  features: [
    { name: 'retries', type: 'numeric' },
    { name: 'ci', type: 'boolean' },
  ],
});

function trainedArtifact(seed: number) {
  const t = new AgentTrainer(def);
  for (let i = 0; i < 200 + seed; i++) {
    const retries = i % 4;
    t.learn({ features: { retries, ci: i % 2 === 0 }, deterministic: 'bug', served: 'bug', label: retries > 1 ? 'flaky' : 'bug' });
  }
  return t.artifact();
}

async function withSchemas<T>(n: number, run: (urls: string[], dir: string) => Promise<T>): Promise<T> {
  const schemas = Array.from({ length: n }, () => `bench_fleet_${randomBytes(4).toString('hex')}`);
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  for (const s of schemas) await admin.query(`CREATE SCHEMA ${s}`);
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-bench-fleet-'));
  try {
    return await run(
      schemas.map((s) => `${PG_URL}?options=${encodeURIComponent(`-c search_path=${s}`)}`),
      dir,
    );
  } finally {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function pickup(): Promise<Figure> {
  return withSchemas(1, async ([databaseUrl], dir) => {
    const prefix = `bench:fleet:${randomBytes(4).toString('hex')}:`;
    const apprentices: Apprentice[] = [];
    const learning: InstalledLearning[] = [];
    try {
      for (const name of ['trainer', 'api']) {
        const a = await createApprentice({ config: { databaseUrl: databaseUrl!, redisUrl: REDIS_URL, redisPrefix: prefix, dataDir: join(dir, name), logLevel: 'silent' }, instanceId: name, projector: name === 'trainer' });
        apprentices.push(a);
        learning.push(await installLearning(a, { agents: [{ definition: def }], training: false, pool: false }));
      }
      const [trainer, api] = learning as [InstalledLearning, InstalledLearning];
      const samples: number[] = [];
      for (let round = 0; round < PICKUP_ROUNDS; round++) {
        const artifact = trainedArtifact(round);
        const t0 = performance.now();
        const v = await trainer.registry.register('debugger', { format: 'learner', artifact }, { actor: 'bench' });
        trainer.registry.setAlias('debugger', 'production', v.version, { actor: 'bench', reason: 'pickup bench' });
        // Bounded: a round that takes 10 s fails the figure instead of hanging the bench.
        const deadline = t0 + 10_000;
        while (api.serving.serving('debugger')?.version.version !== v.version) {
          if (performance.now() > deadline) throw new Error(`round ${round}: version ${v.version} not served by the other instance within 10 s`);
          await new Promise((r) => setTimeout(r, 1));
        }
        samples.push(performance.now() - t0);
      }
      const s = summarize(samples);
      return fig({
        name: 'model-pickup-across-instances',
        value: s.p99,
        unit: 'ms',
        target: '<= 1000 (p99)',
        ok: s.p99 <= 1000,
        note: `p50 ${s.p50.toFixed(1)} ms over ${s.n} versions: register (PostgreSQL artifact) + production alias on one instance until the other serves it`,
      });
    } finally {
      for (const l of learning) await l.stop();
      for (const a of apprentices) await a.close();
    }
  });
}

function events(n: number): NewEvent[] {
  const out: NewEvent[] = [];
  for (let i = 0; i < n; i++) {
    const d = decisionEvent({ context: { linesChanged: i, author: `dev-${i % 50}` } } as Partial<DecisionData>);
    out.push(d, outcomeEvent((d.data as DecisionData).decisionId, { reward: i % 2 }));
  }
  return out;
}

async function backupRestore(): Promise<Figure[]> {
  return withSchemas(4, async ([srcUrl, dstUrl, baseUrl, oldUrl], dir) => {
    const open = (url: string, name: string) => createApprentice({ config: { databaseUrl: url, dataDir: join(dir, name), logLevel: 'silent' }, projector: false });
    const [source, target, baseline, old] = [await open(srcUrl!, 'src'), await open(dstUrl!, 'dst'), await open(baseUrl!, 'base'), await open(oldUrl!, 'old')];
    try {
      const log = events(BACKUP_DECISIONS);
      for (let i = 0; i < log.length; i += 5000) await source.store.append(log.slice(i, i + 5000));
      const artifacts = await createArtifactStore(source);
      for (let i = 0; i < 5; i++) await artifacts.put(new TextEncoder().encode(JSON.stringify(trainedArtifact(i))));
      const file = join(dir, 'backup.ndjson.gz');

      // Baseline of the backup: read the log the way the backup does, writing nothing.
      let t0 = performance.now();
      let after = START;
      let read = 0;
      for (;;) {
        const page = await source.store.readAll({ after, limit: 5000 });
        read += page.length;
        const last = page.at(-1);
        if (!last || page.length < 5000) break;
        after = { transactionId: last.transactionId, position: last.position };
      }
      const readPerSec = read / ((performance.now() - t0) / 1000);

      t0 = performance.now();
      const summary = await writeBackup({ store: source.store, artifacts, dataDir: join(dir, 'src') }, file);
      const backupMs = performance.now() - t0;
      const bytes = statSync(file).size;

      t0 = performance.now();
      const restored = await restoreBackup({ store: target.store, artifacts: await createArtifactStore(target), dataDir: join(dir, 'dst') }, file, { projections: false });
      const insertMs = performance.now() - t0;
      const replayed = await target.store.replay();
      const restoreMs = performance.now() - t0;
      if (restored.events !== log.length || replayed.events !== log.length) throw new Error(`restored ${restored.events}, replayed ${replayed.events} of ${log.length} events`);

      // The earlier way: projections on append, then the same replay.
      t0 = performance.now();
      await restoreBackup({ store: old.store, artifacts: await createArtifactStore(old), dataDir: join(dir, 'old') }, file);
      const oldAppendMs = performance.now() - t0;
      await old.store.replay();
      const oldMs = performance.now() - t0;

      // Baseline of the restore: the same events appended from memory, same batch size.
      t0 = performance.now();
      for (let i = 0; i < log.length; i += 2000) await baseline.store.append(log.slice(i, i + 2000));
      const appendPerSec = log.length / ((performance.now() - t0) / 1000);

      const backupPerSec = summary.events / (backupMs / 1000);
      const restorePerSec = restored.events / (restoreMs / 1000);
      const mb = bytes / 1024 / 1024;
      return [
        fig({
          name: 'backup-throughput',
          value: backupPerSec,
          unit: 'events/s',
          target: '>= 10000',
          ok: backupPerSec >= 10_000,
          baseline: readPerSec,
          ratio: backupPerSec / readPerSec,
          note: `${summary.events} events + ${summary.artifacts} artifacts in ${(backupMs / 1000).toFixed(1)} s, ${mb.toFixed(1)} MiB gzip'd (${(mb / (backupMs / 1000)).toFixed(1)} MiB/s); baseline: reading the log without writing`,
        }),
        fig({
          name: 'restore-throughput',
          value: restorePerSec,
          unit: 'events/s',
          target: '>= 10000',
          ok: restorePerSec >= 10_000,
          baseline: appendPerSec,
          ratio: restorePerSec / appendPerSec,
          note: `${restored.events} events verified (sha256), inserted without projections in ${(insertMs / 1000).toFixed(1)} s, then replayed: ${(restoreMs / 1000).toFixed(1)} s in all; baseline: the same events appended from memory with projections. The earlier way (projections on append, ${(log.length / (oldAppendMs / 1000)).toFixed(0)} events/s, then the replay) took ${(oldMs / 1000).toFixed(1)} s (${(log.length / (oldMs / 1000)).toFixed(0)} events/s)`,
        }),
      ];
    } finally {
      await source.close();
      await target.close();
      await baseline.close();
      await old.close();
    }
  });
}

const suite: BenchSuite = {
  name: 'fleet',
  figures: ['model-pickup-across-instances', 'backup-throughput', 'restore-throughput'],
  async run(only) {
    const out: Figure[] = [];
    if (!only || only === 'fleet' || only === 'model-pickup-across-instances') out.push(await pickup());
    if (!only || only === 'fleet' || only === 'backup-throughput' || only === 'restore-throughput') out.push(...(await backupRestore()));
    return only && only !== 'fleet' ? out.filter((f) => f.name === only) : out;
  },
};
export default suite;
