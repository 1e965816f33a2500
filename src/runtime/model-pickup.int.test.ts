import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../test/support/poll-until.js';
import { PG_URL, REDIS_URL, createTestSchema, testPrefix, type TestSchema } from '../../test/support/services.js';
import { parseAgentDefinition } from '../decisions/agents/agent-definition.js';
import { AgentTrainer } from '../learning/training/agent-trainer.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { installLearning, type InstalledLearning } from './install-learning.js';

const def = parseAgentDefinition({
  name: 'debugger',
  kind: 'classification',
  labels: ['flaky', 'bug'],
  features: [
    { name: 'retries', type: 'numeric' },
    { name: 'ci', type: 'boolean' },
  ],
});

function trainedArtifact() {
  const t = new AgentTrainer(def);
  for (let i = 0; i < 300; i++) {
    const retries = i % 4;
    t.learn({ features: { retries, ci: i % 2 === 0 }, deterministic: 'bug', served: 'bug', label: retries > 1 ? 'flaky' : 'bug' });
  }
  return t.artifact();
}

// Train once, serve everywhere (issue 14): two instances on one PostgreSQL and one Redis, each
// with its own data directory. A version registered on one is served by the other, its
// artifact read from PostgreSQL (the server-mode artifact store), never from a local file.
describe('model pickup across instances (PostgreSQL artifacts + registry events)', () => {
  let schema: TestSchema;
  let dir: string;
  const apprentices: Apprentice[] = [];
  const learning: InstalledLearning[] = [];

  beforeAll(async () => {
    schema = await createTestSchema('pickup');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-pickup-'));
    const prefix = testPrefix('pickup');
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    for (const name of ['trainer', 'api']) {
      const a = await createApprentice({ config: { databaseUrl, redisUrl: REDIS_URL, redisPrefix: prefix, dataDir: join(dir, name) }, instanceId: name, projector: name === 'trainer' });
      apprentices.push(a);
      learning.push(await installLearning(a, { agents: [{ definition: def }], training: false, pool: false }));
    }
  });
  afterAll(async () => {
    for (const l of learning) await l.stop();
    for (const a of apprentices) await a.close();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('selects the PostgreSQL artifact store in server mode', () => {
    expect(learning.map((l) => l.registry.artifacts.kind)).toEqual(['postgres', 'postgres']);
  });

  it('a version registered and promoted on one instance is served by the other', async () => {
    const [trainer, api] = learning as [InstalledLearning, InstalledLearning];
    const v = await trainer.registry.register('debugger', { format: 'learner', artifact: trainedArtifact() }, { actor: 'test' });
    trainer.registry.setAlias('debugger', 'production', v.version, { actor: 'test', reason: 'pickup test' });
    const t0 = performance.now();
    const served = await pollUntil(() => api.serving.serving('debugger'), { timeoutMs: 20_000, message: 'the api instance never served the version registered by the trainer' });
    const ms = performance.now() - t0;
    expect(served.version.version).toBe(v.version);
    expect(served.version.file).toBe(`sha256/${v.sha256}`);
    expect(api.registry.aliasHistory('debugger', 'production').map((m) => m.to)).toEqual([v.version]);
    // The model really serves on the api instance: retries 3 is flaky.
    expect(served.predictSync?.({ retries: 3, ci: false })).toBe('flaky');
    // The figure lives in the bench; printed here for the issue note.
    console.log(`model pickup across instances: ${ms.toFixed(0)} ms`);
  });

  it('a rollback on the api instance reaches the trainer, and is applied once on each side', async () => {
    const [trainer, api] = learning as [InstalledLearning, InstalledLearning];
    const v2 = await trainer.registry.register('debugger', { format: 'learner', artifact: trainedArtifact() }, { actor: 'test' });
    trainer.registry.setAlias('debugger', 'production', v2.version, { actor: 'test' });
    await pollUntil(() => api.registry.aliases('debugger').production === v2.version, { timeoutMs: 20_000, message: 'v2 never reached the api instance' });
    api.registry.setAlias('debugger', 'production', 1, { actor: 'operator', reason: 'rollback' });
    await pollUntil(() => trainer.registry.aliases('debugger').production === 1, { timeoutMs: 20_000, message: 'the rollback never reached the trainer' });
    // Let any echo of already-applied moves arrive, then check nothing was applied twice.
    await new Promise((r) => setTimeout(r, 500));
    for (const l of learning) expect(l.registry.aliasHistory('debugger', 'production').map((m) => m.to)).toEqual([1, 2, 1]);
  });
});
