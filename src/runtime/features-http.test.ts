import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../test/support/poll-until.js';
import { EventType, type DecisionData } from '../core/index.js';
import { buildServer } from '../server/app.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { installFeatures, type InstalledFeatures } from './install-features.js';
import { installLearning, type InstalledLearning } from './install-learning.js';

const VIEW = {
  entity: 'author',
  entityPath: 'context.author',
  source: { events: 'outcomes', agent: 'code-reviewer' },
  features: [
    { name: 'approve_rate', aggregation: 'mean', field: 'label', equals: 'approve', window: '30d' },
    { name: 'reviews_last_3', aggregation: 'count', window: { last: 3 } },
  ],
};
const REVIEWER = {
  kind: 'classification',
  labels: ['approve', 'request-changes'],
  features: [
    { name: 'linesAdded', type: 'numeric' },
    { name: 'authorApproveRate', type: 'numeric', from: { view: 'author-reliability', feature: 'approve_rate', entity: 'author' } },
  ],
};

/** An embedded apprentice (in-process online store) serving the features and learning routes, with the code reviewer defined. */
interface Served {
  readonly dir: string;
  readonly a: Apprentice;
  readonly features: InstalledFeatures;
  readonly learning: InstalledLearning;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

async function serve(): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-features-'));
  const a = await createApprentice({ config: { dataDir: dir, mlEnabled: false } });
  const features = await installFeatures(a, { pollMs: 20 });
  const learning = await installLearning(a, { agents: [{ definition: { name: 'code-reviewer', ...REVIEWER } }], training: false, pool: false, features: features.reader });
  const app = await buildServer(a, { routes: [...features.routes, ...(learning.server.routes ?? [])], ...(learning.server.context ? { context: learning.server.context } : {}) });
  return {
    dir,
    a,
    features,
    learning,
    app,
    async close() {
      await app.close();
      await learning.stop();
      await features.stop();
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('feature views over HTTP (embedded: in-process online store)', () => {
  let served: Served;
  let a: Apprentice;
  let app: FastifyInstance;
  beforeAll(async () => {
    served = await serve();
    ({ a, app } = served);
  });
  afterAll(() => served?.close());

  it('defines a view (versioned, audited), refuses a bad one naming the fields', async () => {
    const bad = await app.inject({ method: 'PUT', url: '/api/v1/features/author-reliability', payload: { ...VIEW, features: [{ name: 'x', aggregation: 'median', window: '2d' }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['features.0.aggregation', 'features.0.window']));
    const put = await app.inject({ method: 'PUT', url: '/api/v1/features/author-reliability', payload: VIEW, headers: { 'x-apprentice-reason': 'issue 13' } });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toMatchObject({ name: 'author-reliability', version: 1, ttlSeconds: 2_592_000, onLoss: 'stale' });
    const again = await app.inject({ method: 'PUT', url: '/api/v1/features/author-reliability', payload: VIEW });
    expect([again.statusCode, again.json().version]).toEqual([200, 1]);
    await pollUntil(async () => (await a.store.readAll({ types: [EventType.FeatureViewDefined] })).length === 1, { timeoutMs: 10_000, message: 'FeatureViewDefined in the log' });
    const [defined] = await a.store.readAll({ types: [EventType.FeatureViewDefined] });
    expect(defined?.metadata).toMatchObject({ reason: 'issue 13' });
    expect((await app.inject({ method: 'GET', url: '/api/v1/features/nope' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/features/nope/anna' })).statusCode).toBe(404);
  });

  it('serves entity features materialised from decisions and outcomes, and decisions log them', async () => {
    const labels = ['approve', 'approve', 'request-changes', 'approve'];
    for (let i = 0; i < 4; i++) {
      const d = await app.inject({ method: 'POST', url: '/api/v1/agents/code-reviewer/decide', payload: { unitId: `pr-${i}`, context: { linesAdded: 10, author: 'anna' }, deterministic: 'approve' } });
      expect(d.statusCode).toBe(200);
      const o = await app.inject({ method: 'POST', url: `/api/v1/decisions/${d.json().decisionId}/outcome`, payload: { label: labels[i] } });
      expect(o.statusCode).toBeLessThan(300);
    }
    await pollUntil(async () => (await app.inject({ method: 'GET', url: '/api/v1/features/author-reliability' })).json().status.applied === 4, { timeoutMs: 20_000, message: 'the 4 outcomes to be materialised' });
    const view = (await app.inject({ method: 'GET', url: '/api/v1/features/author-reliability' })).json();
    expect(view.status).toMatchObject({ phase: 'live', progress: 1, losses: 0, entities: 1 });
    const list = (await app.inject({ method: 'GET', url: '/api/v1/features' })).json();
    expect(list.views.map((v: { name: string }) => v.name)).toEqual(['author-reliability']);
    const read = (await app.inject({ method: 'GET', url: '/api/v1/features/author-reliability/anna' })).json();
    expect(read).toMatchObject({ view: 'author-reliability', version: 1, entity: 'anna', status: 'fresh', values: { approve_rate: 0.75, reviews_last_3: 3 } });

    const d = (await app.inject({ method: 'POST', url: '/api/v1/agents/code-reviewer/decide', payload: { unitId: 'pr-9', context: { linesAdded: 5, author: 'anna' }, deterministic: 'approve' } })).json();
    const stored = await pollUntil(async () => (await a.store.readStream(`decision-${d.decisionId}`))[0], { timeoutMs: 10_000, message: 'the decision in the log' });
    expect((stored.data as DecisionData).features).toEqual({ linesAdded: 5, authorApproveRate: 0.75 });
    expect((stored.data as DecisionData).featureViews).toEqual({ 'author-reliability': { entity: 'anna', status: 'fresh', version: 1 } });

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/apprentice_feature_view_reads_total\{view="author-reliability",status="fresh"\} [1-9]/);
    expect(metrics).toMatch(/apprentice_feature_view_completeness_ratio\{view="author-reliability"\} 1/);
    expect(metrics).toMatch(/apprentice_feature_view_backfill_progress_ratio\{view="author-reliability"\} 1/);
    expect(metrics).toMatch(/apprentice_feature_view_inputs_applied_total\{view="author-reliability"\} 4/);
    expect(metrics).toMatch(/apprentice_feature_view_freshness_seconds\{view="author-reliability"\} \d/);
  });
});

/** Runs the `features` command and returns what it printed on stdout (exit code in `code`). */
async function cli(args: string[]): Promise<{ out: string; code: number | undefined }> {
  const { featuresCommand } = await import('../cli/commands/features.js');
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stderr.write;
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await featuresCommand().exitOverride().parseAsync(args, { from: 'user' });
    return { out, code: process.exitCode as number | undefined };
  } finally {
    process.stdout.write = write;
    process.stderr.write = errWrite;
    process.exitCode = before;
  }
}

describe('apprentice features list|get|backfill', () => {
  let served: Served;
  let dir: string;
  let a: Apprentice;
  let learning: InstalledLearning;
  let url: string;
  beforeAll(async () => {
    served = await serve();
    ({ dir, a, learning } = served);
    url = await served.app.listen({ host: '127.0.0.1', port: 0 });
    // History before the view exists: the backfill must find it in the log.
    for (let i = 0; i < 30; i++) {
      const d = await learning.engine.decideAsync('code-reviewer', `pr-${i}`, { author: i % 2 ? 'anna' : 'bartek' }, 'approve');
      await a.recordOutcome(d.decisionId, { label: i % 3 ? 'approve' : 'request-changes' });
    }
    await a.writer.flush();
    await pollUntil(async () => (await a.store.readAll({ types: [EventType.OutcomeRecorded] })).length === 30, { timeoutMs: 20_000, message: 'the history in the log' });
  });
  afterAll(() => served?.close());

  it('backfill defines a view from a file, waits for it to be live over the whole log; list and get show it', async () => {
    const file = join(dir, 'view.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(VIEW));
    const done = await cli(['backfill', 'author-reliability', file, '--url', url, '--reason', 'cli test', '--timeout', '30']);
    expect(done.code).toBeUndefined();
    expect(done.out).toMatch(/author-reliability v1 is live: 30 inputs applied, 2 entities/);
    expect((await cli(['list', '--url', url])).out).toMatch(/author-reliability\s+1\s+author\s+outcomes of code-reviewer\s+2\s+live\s+100%\s+30\s+2/);
    const anna = JSON.parse((await cli(['get', 'author-reliability', 'anna', '--url', url, '--json'])).out) as { status: string; values: Record<string, number> };
    // anna: i = 1, 3, ..., 29 (15 reviews); request-changes when i % 3 == 0: 3, 9, 15, 21, 27.
    expect(anna).toMatchObject({ status: 'fresh', values: { approve_rate: 10 / 15, reviews_last_3: 3 } });
    const bad = await cli(['backfill', 'author-reliability', file, '--url', url, '--timeout', 'soon']);
    expect(bad.code).toBe(2);
    const missing = await cli(['get', 'nope', '--url', url]);
    expect([missing.code, missing.out]).toEqual([1, expect.stringMatching(/not defined/)]);
  });
});
