import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteEventStore } from '../log/events/pglite-event-store.js';
import type { SqlEventStore } from '../log/events/sql-event-store.js';
import { decisionEvent } from '../log/events/testing/fixtures.js';
import type { ModelRegistry } from '../learning/registry/model-registry.js';
import { trainingReference } from './drift-reference.js';

describe('trainingReference: drift reference from the served model version’s training data', () => {
  let store: SqlEventStore;
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  beforeAll(async () => {
    store = await createPgliteEventStore({ dataDir: 'memory://' });
    await store.migrate();
    // 300 decisions before the model was registered (its training data), 300 after with shifted features.
    const before = Array.from({ length: 300 }, (_, i) =>
      decisionEvent({ agent: 'debugger', features: { lines: i % 50, lang: i % 2 ? 'ts' : 'py' } }, new Date(t0 + i * 1000)),
    );
    const after = Array.from({ length: 300 }, (_, i) =>
      decisionEvent({ agent: 'debugger', features: { lines: 1000 + i, lang: 'go' } }, new Date(t0 + 400_000 + i * 1000)),
    );
    await store.append([...before, ...after]);
  });
  afterAll(() => store.close());

  const registryWith = (aliases: Record<string, { version: number; createdAt: string }>): ModelRegistry =>
    ({ resolve: (ref: { agent: string; alias: string }) => aliases[ref.alias] }) as unknown as ModelRegistry;

  it('uses the decisions up to the served version, preferring production over canary over shadow', async () => {
    const registry = registryWith({
      shadow: { version: 3, createdAt: new Date(t0 + 900_000).toISOString() },
      production: { version: 2, createdAt: new Date(t0 + 350_000).toISOString() },
    });
    const ref = await trainingReference(store, registry, 'debugger');
    expect(ref?.modelVersion).toBe(2);
    expect(Object.keys(ref!.features).sort()).toEqual(['lang', 'lines']);
    // Only the 300 training-time decisions: none of the later `go` / 1000+ values.
    expect(JSON.stringify(ref!.features.lang)).not.toContain('"go"');
    expect(JSON.stringify(ref!.features.lines)).not.toMatch(/\b1[0-9]{3}\b/);
  });

  it('is undefined while the agent has no model', async () => {
    expect(await trainingReference(store, registryWith({}), 'debugger')).toBeUndefined();
  });
});
