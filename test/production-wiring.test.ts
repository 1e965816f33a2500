import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServe } from '../src/cli/commands/serve.js';
import { demoServeArgs } from '../examples/detektor/demo-command.js';

// No test hook is reachable in a production build (issue 20): whatever the environment, the
// `serve` and `demo` wiring installs no route that writes state for tests. The old hook
// (`PUT /api/v1/ops/test/gauges/:name`, turned on by APPRENTICE_OPS_TEST_HOOKS=1) let an admin
// token fake any gauge and so fire alerts and their remediations.

const root = join(import.meta.dirname, '..');
const HOOK_ENV = ['APPRENTICE_OPS_TEST_HOOKS', 'APPRENTICE_TEST_HOOKS', 'APPRENTICE_TEST'];

/** `METHOD path` of every route of a Fastify app, from the tree of `printRoutes({ commonPrefix: false })`. */
function routesOf(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = Math.floor(at / 4);
    const m = /^(\S+)(?: \(([A-Z, ]+)\))?/.exec(line.slice(at + 3));
    if (!m) continue;
    stack.length = depth;
    stack.push(m[1]!);
    for (const method of (m[2] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) out.push(`${method} ${stack.join('')}`);
  }
  return out;
}

/**
 * The state-writing routes of the documented API (DESIGN.md §5 and the security routes).
 * A new one must be added here on purpose, never one under a test prefix.
 */
const WRITE_ROUTE =
  /^(POST|PUT|PATCH|DELETE) \/api\/v1\/(agents\/[^/]+(\/decide)?|decisions\/[^/]+\/outcome|flags\/[^/]+(\/percentage)?|rollouts\/[^/]+\/(:action|advance|pause|resume|rollback|approve)|rollback|circuit-breakers\/(open-all|close-all)|models\/[^/]+\/(aliases\/[^/]+|versions)|features\/[^/]+|alerts\/webhook|tokens(\/[^/]+)?|security\/.+|subjects\/.+|retention.*|keys.*|replay|admin\/tier)$/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.ts$/.test(name) && !/\.test\.ts$/.test(name) && !p.includes(`${join('/', 'testing', '/')}`)) out.push(p);
  }
  return out;
}

describe.each([
  ['serve', (dir: string) => buildServe({ dataDir: dir }, {}, [])],
  ['demo', (dir: string) => buildServe(...demoServeArgs({ dataDir: dir, rate: '1', seed: '1' }))],
] as const)('`%s` wiring installs no test hook, whatever the environment', (name, build) => {
  let dir: string;
  let built: Awaited<ReturnType<typeof buildServe>>;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `apprentice-wiring-${name}-`));
    for (const k of [...HOOK_ENV, 'APPRENTICE_LOG_LEVEL']) saved[k] = process.env[k];
    for (const k of HOOK_ENV) process.env[k] = '1';
    process.env.APPRENTICE_LOG_LEVEL = 'silent';
    built = await build(dir);
  }, 180_000);
  afterAll(async () => {
    await built?.app.close();
    for (const p of built?.parts ?? []) await p.stop?.();
    await built?.platform.stop();
    await built?.a.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("exposes the process's memory and event-loop figures on /metrics (prom-client defaults)", async () => {
    const text = (await built.app.inject({ method: 'GET', url: '/metrics' })).body;
    const value = (name: string): number => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '')?.[2]);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(value('nodejs_heap_size_used_bytes')).toBeGreaterThan(1024 * 1024);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
  });

  it('has no route under a test prefix, and every state-writing route is a documented one', () => {
    const routes = routesOf(built.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((r) => /\/(test|tests|_test|debug|hooks?)(\/|$)/i.test(r))).toEqual([]);
    const writes = routes.filter((r) => /^(POST|PUT|PATCH|DELETE) /.test(r));
    expect(writes.length).toBeGreaterThan(10);
    expect(writes.filter((r) => !WRITE_ROUTE.test(r))).toEqual([]);
  });

  it('a catalogue gauge cannot be set over HTTP', async () => {
    const r = await built.app.inject({
      method: 'PUT',
      url: '/api/v1/ops/test/gauges/apprentice_model_accuracy',
      payload: { labels: { agent: 'debugger', version: '1' }, value: 0.1 },
    });
    expect(r.statusCode).toBe(404);
    const body = (await built.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).not.toMatch(/^apprentice_model_accuracy\{agent="debugger",version="1"\} 0\.1$/m);
  });
});

describe('no production code reads a test-hook switch', () => {
  it('no source file under src/, bin/ or examples/ (tests and testing/ helpers aside) names one', () => {
    const files = ['src', 'bin', 'examples'].flatMap((d) => sourceFiles(join(root, d)));
    expect(files.length).toBeGreaterThan(100);
    const hits = files.flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      return [...HOOK_ENV, 'TEST_HOOKS', 'testHook', '/ops/test/']
        .filter((needle) => text.includes(needle))
        .map((needle) => `${relative(root, f)}: ${needle}`);
    });
    expect(hits).toEqual([]);
  });
});
