import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../log/bus/testing/redis-keys.js';
import { createTestSchema, REDIS_URL, testPrefix, type TestSchema } from '../../../test/support/services.js';
import { pollUntil } from '../../../test/support/poll-until.js';
import { buildCli } from '../program.js';
import { buildServe } from './serve.js';

type Built = Awaited<ReturnType<typeof buildServe>>;

const AGENT = 'role-triage';
const definition = { kind: 'classification', labels: ['approve', 'reject'], feedback: 'label', features: [{ name: 'weight', type: 'numeric' }] };

// `serve --role api|worker` on one PostgreSQL schema and one Redis prefix, in this process: the
// API instance serves decisions and never runs a loop; the worker projects what the API
// instance published, runs the controller under the lease and serves health and metrics only.
describe('serve --role', () => {
  let schema: TestSchema;
  let prefix: string;
  let dir: string;
  let config: string;
  const built: Built[] = [];
  const stop = async (b: Built): Promise<void> => {
    await b.app.close();
    await b.platform.stop();
    await b.a.close();
  };

  beforeAll(async () => {
    schema = await createTestSchema('role');
    prefix = testPrefix('role');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-role-'));
    config = join(dir, 'apprentice.config.json');
    const databaseUrl = `${schema.connectionString}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    writeFileSync(
      config,
      JSON.stringify({ databaseUrl, redisUrl: REDIS_URL, redisPrefix: prefix, logLevel: 'silent', learningThrottle: false, rollout: { evaluationIntervalMs: 200 } }),
    );
  });
  afterAll(async () => {
    for (const b of built) await stop(b).catch(() => undefined);
    await deleteKeys(REDIS_URL, prefix);
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unknown role, and api/worker without a shared PostgreSQL and Redis', async () => {
    await expect(buildServe({ role: 'leader', dataDir: join(dir, 'x') })).rejects.toThrow(/invalid --role/);
    await expect(buildServe({ role: 'api', dataDir: join(dir, 'y') })).rejects.toThrow(/--role api needs a shared store and bus/);
    await expect(buildServe({ role: 'worker', dataDir: join(dir, 'z') })).rejects.toThrow(/--role worker needs a shared store and bus/);
  });

  it('documents the roles in --help', () => {
    const serve = buildCli().commands.find((c) => c.name() === 'serve')!;
    const role = serve.options.find((o) => o.long === '--role')!;
    expect(role.argChoices).toEqual(['api', 'worker', 'all']);
    expect(role.defaultValue).toBe('all');
    expect(serve.helpInformation()).toMatch(/--role <role>[\s\S]*api:[\s\S]*worker:[\s\S]*all:/);
  });

  it('api serves decisions without loops; the worker projects them, leads the controller and serves only health and metrics', { timeout: 90_000 }, async () => {
    const api = await buildServe({ config, role: 'api', dataDir: join(dir, 'api') });
    built.push(api);
    const worker = await buildServe({ config, role: 'worker', dataDir: join(dir, 'worker') });
    built.push(worker);

    // What each runs.
    expect(api.a.projector).toBeUndefined();
    expect(api.platform.learning.trainer).toBeUndefined();
    expect(api.platform.drift).toBeUndefined();
    expect(api.platform.experiments.lease).toBeUndefined();
    expect(worker.a.projector).toBeDefined();
    expect(worker.platform.learning.trainer).toBeDefined();
    expect(worker.platform.drift).toBeDefined();
    expect(worker.platform.experiments.lease).toBeDefined();

    // The API instance takes the agent, decisions and outcomes...
    const put = await api.app.inject({ method: 'PUT', url: `/api/v1/agents/${AGENT}`, payload: definition });
    expect(put.statusCode, put.body).toBeLessThan(300);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const d = await api.app.inject({ method: 'POST', url: `/api/v1/agents/${AGENT}/decide`, payload: { unitId: `u${i}`, context: { weight: i }, deterministic: 'approve' } });
      expect(d.statusCode, d.body).toBe(200);
      ids.push((d.json() as { decisionId: string }).decisionId);
    }
    // ...and only the worker's projector brings them into the store.
    await pollUntil(async () => (await api.a.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'DecisionMade'`))[0]!.n === 20, {
      timeoutMs: 30_000,
      message: 'the worker to project the 20 decisions made on the API instance',
    });
    const o = await api.app.inject({ method: 'POST', url: `/api/v1/decisions/${ids[0]}/outcome`, payload: { label: 'approve' } });
    expect(o.statusCode, o.body).toBeLessThan(300);

    // The worker leads the controller and ticks; the API instance never does.
    await pollUntil(() => worker.platform.experiments.lease?.isLeader(), { timeoutMs: 20_000, message: 'the worker to hold the controller lease' });
    await pollUntil(() => worker.platform.experiments.controller.ticks >= 3, { timeoutMs: 20_000, message: 'three controller ticks on the worker' });
    expect(api.platform.experiments.controller.ticks).toBe(0);

    // The worker's HTTP surface: health and metrics, nothing else.
    expect((await worker.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await worker.app.inject({ method: 'GET', url: '/metrics' })).body).toContain('apprentice_');
    for (const url of [`/api/v1/agents/${AGENT}`, '/api/v1/rollouts', '/openapi.json', '/api/v1/session'])
      expect((await worker.app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    expect((await worker.app.inject({ method: 'POST', url: `/api/v1/agents/${AGENT}/decide`, payload: { unitId: 'w', context: { weight: 1 }, deterministic: 'approve' } })).statusCode).toBe(404);

    // Health reports the lease from each side.
    const lease = async (b: Built) => {
      const r = await b.app.inject({ method: 'GET', url: '/health/aggregate' });
      const body = r.json() as { components: { component: string; status: string; detail?: Record<string, unknown> }[] };
      return body.components.find((c) => c.component === 'controller-lease');
    };
    expect(await lease(worker)).toMatchObject({ status: 'ok', detail: { role: 'worker', status: 'held' } });
    expect(await lease(api)).toMatchObject({ status: 'ok', detail: { role: 'api', status: 'not competing' } });
  });
});
