import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../test/support/poll-until.js';
import { PG_URL, REDIS_URL, createTestSchema, testPrefix, type TestSchema } from '../../test/support/services.js';
import { deleteKeys } from '../log/bus/testing/redis-keys.js';
import { parseAgentDefinition } from '../decisions/agents/agent-definition.js';
import { AgentTrainer } from '../learning/training/agent-trainer.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { installPlatform, type Platform } from './install-platform.js';

const AGENT = 'canary-first';
const def = parseAgentDefinition({
  name: AGENT,
  kind: 'classification',
  labels: ['flaky', 'bug'],
  features: [{ name: 'retries', type: 'numeric' }],
});

function trainedArtifact() {
  const t = new AgentTrainer(def);
  for (let i = 0; i < 200; i++) t.learn({ features: { retries: i % 4 }, deterministic: 'bug', served: 'bug', label: i % 4 > 1 ? 'flaky' : 'bug' });
  return t.artifact();
}

/**
 * Issue 14, the first canary step on a fleet: a worker (the controller) and an API instance on
 * one PostgreSQL and one Redis. The flag reaches the API instance over Redis pub/sub within a
 * millisecond or two; the `canary` alias and its model travel through the event log. No decision
 * routed to the model may be answered NO_MODEL because the flag outran the model: the controller
 * moves the alias (straight to the store) before it raises the flag, and an instance routes to
 * the model only once its registry holds a serving alias and its model is loaded.
 */
describe('shadow → first canary step on a fleet (PostgreSQL + Redis)', () => {
  let schema: TestSchema;
  let prefix: string;
  let dir: string;
  const apprentices: Apprentice[] = [];
  const platforms: Platform[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('canaryfirst');
    prefix = testPrefix('canaryfirst');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-canary-first-'));
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    for (const role of ['worker', 'api'] as const) {
      const a = await createApprentice({ config: { databaseUrl, redisUrl: REDIS_URL, redisPrefix: prefix, dataDir: join(dir, role), logLevel: 'silent' }, instanceId: role, projector: role === 'worker' });
      apprentices.push(a);
      platforms.push(
        await installPlatform(a, {
          role,
          agents: [{ definition: def }],
          // Commands only: the test advances the rollout itself.
          controller: false,
          rolloutPolicy: { steps: [50, 100] },
          throttle: false,
        }),
      );
    }
  }, 120_000);
  afterAll(async () => {
    for (const p of platforms) await p.stop().catch(() => undefined);
    for (const a of apprentices) await a.close().catch(() => undefined);
    if (prefix) await deleteKeys(REDIS_URL, prefix);
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('no decision routed to the model is answered NO_MODEL right after the step', { timeout: 120_000 }, async () => {
    const [worker, api] = platforms as [Platform, Platform];
    const v = await worker.learning.registry.register(AGENT, { format: 'learner', artifact: trainedArtifact() }, { actor: 'test' });
    worker.learning.registry.setAlias(AGENT, 'shadow', v.version, { actor: 'test', reason: 'shadow' });
    await pollUntil(() => api.learning.registry.aliases(AGENT).shadow === v.version, { timeoutMs: 30_000, message: 'the shadow alias on the api instance' });
    await api.learning.serving.settled();

    // The API instance decides without pause (yielding to the event loop each time) from before
    // the step until the model has served a hundred decisions.
    const reasons: Record<string, number> = {};
    let mlServed = 0;
    let stop = false;
    const decide = async (): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const d = await api.learning.engine.decideAsync(AGENT, `unit-${i}`, { retries: i % 4 }, 'bug');
        if (d.variant === 'ml') reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
        if (d.source === 'ml') mlServed++;
        await yieldToLoop();
      }
    };
    const loop = decide();
    try {
      await worker.experiments.controller.command(AGENT, { kind: 'advance' }, { actor: 'test', reason: 'first step' });
      await pollUntil(() => mlServed >= 100, { timeoutMs: 60_000, message: `100 ml-served decisions on the api instance (ml arm reasons so far: ${JSON.stringify(reasons)})` });
    } finally {
      stop = true;
      await loop;
    }
    expect(api.learning.registry.aliases(AGENT).canary).toBe(v.version);
    expect(reasons.NO_MODEL ?? 0, JSON.stringify(reasons)).toBe(0);
    expect(reasons.MODEL, JSON.stringify(reasons)).toBeGreaterThanOrEqual(100);
  });
});
