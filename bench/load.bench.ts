import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { FastifyInstance } from 'fastify';
import { detektorAgentDefinitions } from '../examples/detektor/demo-scenario.js';
import { startDemoWorkload } from '../examples/detektor/demo-workload.js';
import { createDetektorSimulator } from '../examples/detektor/simulator.js';
import { createApprentice } from '../src/runtime/create-apprentice.js';
import { installPlatform } from '../src/runtime/install-platform.js';
import { buildServer } from '../src/server/app.js';
import { fig, summarize, type BenchSuite, type Figure } from './harness.js';

const DURATION_S = Number(process.env.BENCH_LOAD_SECONDS ?? 15);

interface Run {
  readonly p99: number;
  readonly p50: number;
  readonly requests: number;
  readonly throttled: boolean;
  readonly impact: string;
}

/**
 * The real service under a CPU-saturating HTTP load (autocannon, 16 connections), with a
 * Detektor workload feeding decisions and outcomes in the background so that, with ML on,
 * shadow inference and training run at full speed. Latency of each decide request is taken
 * from Fastify's high-resolution `reply.elapsedTime` (autocannon reports whole milliseconds).
 */
async function run(mlEnabled: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), `apprentice-load-${mlEnabled ? 'on' : 'off'}-`));
  const a = await createApprentice({ config: { dataDir: dir, mlEnabled, logLevel: 'silent' } });
  const platform = await installPlatform(a, { agents: detektorAgentDefinitions(), rolloutIntervalMs: 0, trainer: { registerEvery: 200 } });
  const samples: number[] = [];
  const app: FastifyInstance = await buildServer(a, { routes: [...(platform.server.routes ?? [])], context: { ...platform.server.context } });
  app.addHook('onResponse', async (req, reply) => {
    if (req.routeOptions.url === '/api/v1/agents/:agent/decide' && reply.statusCode === 200) samples.push(reply.elapsedTime);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  // Warm the models: decisions and outcomes through the library path.
  const stopWarm = startDemoWorkload(a, { seed: 3, ratePerSecond: 400 });
  await new Promise((r) => setTimeout(r, 5000));
  await stopWarm();
  const sim = createDetektorSimulator({ seed: 11 });
  const bodies = Array.from({ length: 200 }, () => {
    const d = sim.next('code-reviewer');
    return JSON.stringify({ unitId: d.unitId, context: d.context, deterministic: d.deterministic });
  });
  samples.length = 0;
  const background = startDemoWorkload(a, { seed: 5, ratePerSecond: 300 });
  let i = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/api/v1/agents/code-reviewer/decide`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: 16,
    duration: DURATION_S,
    requests: [{ setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length]! }) }],
  });
  await background();
  const metrics = await a.registry.metrics();
  const throttled = /apprentice_learner_throttled\{[^}]*\} 1\b/.test(metrics);
  const impact = /^apprentice_ml_performance_impact_ratio(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1] ?? 'n/a';
  await app.close();
  await platform.stop();
  await a.close();
  rmSync(dir, { recursive: true, force: true });
  const s = summarize(samples);
  return { p99: s.p99, p50: s.p50, requests: result.requests.total, throttled, impact };
}

const suite: BenchSuite = {
  name: 'load',
  figures: ['learning-impact-p99-ratio'],
  async run() {
    const off = await run(false);
    const on = await run(true);
    const ratio = on.p99 / off.p99;
    const out: Figure[] = [
      fig({
        name: 'learning-impact-p99-ratio',
        value: ratio,
        unit: 'x',
        target: '<= 1.05',
        ok: ratio <= 1.05,
        baseline: off.p99,
        note: `decide p99 ${on.p99.toFixed(2)} ms learning on vs ${off.p99.toFixed(2)} ms off (p50 ${on.p50.toFixed(2)} / ${off.p50.toFixed(2)}); ${on.requests} vs ${off.requests} requests in ${DURATION_S}s; throttled reported: ${on.throttled}; impact gauge ${on.impact}`,
      }),
    ];
    return out;
  },
};
export default suite;
