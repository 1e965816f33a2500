import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys } from '../../log/bus/testing/redis-keys.js';
import { createTestSchema, REDIS_URL, testPrefix, type TestSchema } from '../../../test/support/services.js';
import { pollUntil } from '../../../test/support/poll-until.js';
import { startTcpProxy, type TcpProxy } from '../../../test/support/tcp-proxy.js';
import { buildServe } from './serve.js';

type Built = Awaited<ReturnType<typeof buildServe>>;
interface Component {
  readonly component: string;
  readonly status: string;
  readonly error?: string;
  readonly detail?: Record<string, unknown>;
}

const components = async (b: Built): Promise<{ status: string; components: Component[] }> =>
  (await b.app.inject({ method: 'GET', url: '/health/aggregate' })).json();
const component = async (b: Built, name: string): Promise<Component | undefined> => (await components(b)).components.find((c) => c.component === name);

// /health/aggregate of a fleet process reports its controller lease and whether the model
// artifact store answers, each checked against a real failure: the lease's PostgreSQL
// connection cut by a TCP proxy, and the S3 server stopped.
describe('serve health: controller lease and artifact store', () => {
  let schema: TestSchema;
  let prefix: string;
  let dir: string;
  let proxy: TcpProxy;
  let s3: S3rver | undefined;
  let s3Port = 0;
  const s3Dir = mkdtempSync(join(tmpdir(), 'apprentice-health-s3-'));
  const built: Built[] = [];
  const config = (name: string, port: number, extra: Record<string, unknown> = {}): string => {
    const file = join(dir, `${name}.json`);
    const databaseUrl = `postgres://postgres@127.0.0.1:${port}/postgres?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    writeFileSync(file, JSON.stringify({ databaseUrl, redisUrl: REDIS_URL, redisPrefix: prefix, logLevel: 'silent', learningThrottle: false, rollout: { evaluationIntervalMs: 200 }, ...extra }));
    return file;
  };
  const startS3 = async (port: number): Promise<number> => {
    s3 = new S3rver({ port, address: '127.0.0.1', silent: true, directory: s3Dir, configureBuckets: [{ name: 'models', configs: [] }] });
    const addr = (await s3.run()) as { port: number };
    return addr.port;
  };

  beforeAll(async () => {
    schema = await createTestSchema('health');
    prefix = testPrefix('health');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-health-'));
    proxy = await startTcpProxy('127.0.0.1', 5432);
    s3Port = await startS3(0);
  });
  afterAll(async () => {
    for (const b of built) {
      await b.app.close().catch(() => undefined);
      await b.platform.stop().catch(() => undefined);
      await b.a.close().catch(() => undefined);
    }
    await s3?.close().catch(() => undefined);
    await proxy?.close();
    await deleteKeys(REDIS_URL, prefix);
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(s3Dir, { recursive: true, force: true });
  });

  it('a worker whose lease connection is cut reports the lease lost (degraded), and held again once PostgreSQL is back', { timeout: 60_000 }, async () => {
    // Migrate directly: the worker's own connections go through the proxy.
    const migrator = await buildServe({ config: config('migrate', 5432), role: 'api', dataDir: join(dir, 'm') });
    built.push(migrator);
    const worker = await buildServe({ config: config('worker', proxy.port), role: 'worker', dataDir: join(dir, 'w') });
    built.push(worker);
    await pollUntil(async () => (await component(worker, 'controller-lease'))?.detail?.status === 'held', { timeoutMs: 20_000, message: 'the worker to hold the lease' });
    expect(await component(worker, 'controller-lease')).toMatchObject({ status: 'ok', detail: { role: 'worker', status: 'held' } });

    proxy.cut();
    const lost = await pollUntil(
      async () => {
        const c = await component(worker, 'controller-lease');
        return c?.detail?.status === 'lost' ? c : undefined;
      },
      { timeoutMs: 20_000, message: 'the lease to be reported lost after the cut' },
    );
    expect(lost.status).toBe('degraded');
    expect(String(lost.detail?.reason)).toMatch(/lease (connection lost|check failed)/);
    expect(worker.platform.experiments.lease?.isLeader()).toBe(false);

    proxy.restore();
    await pollUntil(async () => (await component(worker, 'controller-lease'))?.detail?.status === 'held', { timeoutMs: 20_000, message: 'the lease held again after the restore' });
  });

  it('an API instance on an S3 artifact store reports it degraded while the S3 server is down, and ok once it is back', { timeout: 60_000 }, async () => {
    const s3Config = { artifactStore: 's3', s3: { bucket: 'models', endpoint: `http://127.0.0.1:${s3Port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
    const api = await buildServe({ config: config('api-s3', 5432, s3Config), role: 'api', dataDir: join(dir, 'a') });
    built.push(api);
    // Each probe has a 1 s deadline: on a loaded host the SDK's first request can miss it once.
    await pollUntil(async () => (await component(api, 'artifact-store:s3'))?.status === 'ok', { timeoutMs: 20_000, message: 'the artifact store ok with S3 up' });

    await s3!.close();
    const down = await pollUntil(
      async () => {
        const c = await component(api, 'artifact-store:s3');
        return c?.status === 'degraded' ? c : undefined;
      },
      { timeoutMs: 20_000, message: 'the artifact store to be degraded with S3 down' },
    );
    expect(down.error).toBeTruthy();
    // Degraded, not down: the instance keeps serving (its rules, or the models it holds).
    const whole = await components(api);
    expect(whole.status).not.toBe('down');
    expect((await api.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    await startS3(s3Port);
    await pollUntil(async () => (await component(api, 'artifact-store:s3'))?.status === 'ok', { timeoutMs: 20_000, message: 'the artifact store ok again with S3 back' });
  });
});
