import { describe, expect, it } from 'vitest';
import { EventType, type NewEvent, type StoredEvent } from '../core/events.js';
import { uuidv7 } from '../core/ids.js';
import { parseAgentDefinition, type AgentDefinition } from '../decisions/agents/agent-definition.js';
import { decisionEvent, outcomeEvent } from '../log/events/testing/fixtures.js';
import type { ModelRegistry } from '../learning/registry/model-registry.js';
import { ShadowStats } from '../learning/shadow/shadow-stats.js';
import { VersionQuality } from '../learning/shadow/version-quality.js';
import { TrainingLoop } from '../learning/training/training-loop.js';
import { ServedQualityFeed } from '../safety/resilience/served-quality.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const defs: Record<string, AgentDefinition> = {
  estimator: parseAgentDefinition({
    name: 'estimator',
    kind: 'regression',
    feedback: 'label',
    features: [
      { name: 'files', type: 'numeric' },
      { name: 'area', type: 'categorical', vocabulary: ['api', 'ui', 'infra'] },
    ],
  }),
  reviewer: parseAgentDefinition({
    name: 'reviewer',
    kind: 'classification',
    labels: ['approve', 'reject'],
    feedback: 'label',
    learner: { type: 'hoeffding-tree' },
    features: [{ name: 'files', type: 'numeric' }, { name: 'area', type: 'categorical', vocabulary: ['api', 'ui', 'infra'] }],
  }),
  deployer: parseAgentDefinition({
    name: 'deployer',
    kind: 'classification',
    labels: ['standard', 'canary'],
    feedback: 'reward',
    features: [{ name: 'files', type: 'numeric' }, { name: 'area', type: 'categorical', vocabulary: ['api', 'ui', 'infra'] }],
  }),
};

/**
 * A log of decisions of three agents (regression, classification, reward), some served by a
 * model, with shadow predictions and outcomes that arrive late, out of order, or never.
 */
function history(n: number): StoredEvent[] {
  const next = rng(7);
  const events: NewEvent[] = [];
  const waiting: { id: string; agent: string; files: number; area: string; served: unknown }[] = [];
  for (let i = 0; i < n; i++) {
    const agent = ['estimator', 'reviewer', 'deployer'][i % 3]!;
    const files = Math.floor(next() * 40);
    const area = ['api', 'ui', 'infra'][Math.floor(next() * 3)]!;
    const rules = agent === 'estimator' ? files / 4 : agent === 'reviewer' ? (files > 20 ? 'reject' : 'approve') : 'standard';
    const ml = next() < 0.3;
    const served = ml ? (agent === 'estimator' ? files / 3 : agent === 'reviewer' ? 'approve' : 'canary') : rules;
    const d = decisionEvent({
      agent,
      value: served,
      deterministic: rules,
      source: ml ? 'ml' : 'deterministic',
      ...(ml ? { modelVersion: 1 + (i % 2) } : {}),
      features: { files, area },
    });
    events.push(d);
    if (next() < 0.5)
      events.push({
        id: uuidv7(),
        type: EventType.ShadowPredicted,
        stream: d.stream,
        data: { decisionId: d.data.decisionId, agent, unitId: d.data.unitId, modelVersion: 2, rulesValue: rules, modelValue: agent === 'estimator' ? files / 3.5 : rules, agree: agent !== 'estimator', latencyMs: next() },
        metadata: { actor: 'shadow' },
        time: new Date().toISOString(),
      });
    waiting.push({ id: d.data.decisionId, agent, files, area, served });
    // Outcomes come 0-40 decisions later; one in ten never comes.
    while (waiting.length > 0 && next() < 0.45) {
      const w = waiting.splice(Math.floor(next() * waiting.length), 1)[0]!;
      if (next() < 0.1) continue;
      const o =
        w.agent === 'estimator'
          ? { value: w.files / 3 + (w.area === 'infra' ? 4 : 0), reward: undefined }
          : w.agent === 'reviewer'
            ? { label: w.files > 15 || w.area === 'infra' ? 'reject' : 'approve', reward: undefined }
            : { reward: (w.area === 'infra') === (w.served === 'canary') ? 1 : 0 };
      events.push(outcomeEvent(w.id, { agent: w.agent, ...o }));
    }
  }
  return events.map((e, i) => ({ ...e, position: BigInt(i + 1), transactionId: BigInt(1000 + i) }));
}

/** Registers in memory: versions numbered per agent. */
function fakeRegistry(): ModelRegistry & { versions: string[] } {
  const versions: string[] = [];
  const counts = new Map<string, number>();
  return {
    versions,
    register(agent: string, input: { artifact: unknown }, options: { metrics?: unknown; lineage?: unknown }) {
      const version = (counts.get(agent) ?? 0) + 1;
      counts.set(agent, version);
      versions.push(JSON.stringify({ agent, version, artifact: input.artifact, metrics: options.metrics, lineage: options.lineage }));
      return Promise.resolve({ agent, version, createdAt: new Date(0).toISOString() });
    },
    setAlias: () => undefined,
  } as unknown as ModelRegistry & { versions: string[] };
}

const cursorOf = (e: StoredEvent): { transactionId: bigint; position: bigint } => ({ transactionId: e.transactionId, position: e.position });
const batches = (events: readonly StoredEvent[], size: number): StoredEvent[][] =>
  Array.from({ length: Math.ceil(events.length / size) }, (_, i) => events.slice(i * size, (i + 1) * size));
/** The state as it is stored: JSON text and back. */
const throughJson = <S>(s: S): S => JSON.parse(JSON.stringify(s)) as S;

describe('checkpoints of the log followers: stop, save, restore and go on = never stopped', () => {
  const log = history(3000);
  const cut = 1777; // mid-stream: decisions wait for outcomes and shadow answers on both sides

  it('the training loop resumes with the same models, evaluators, waiting decisions and registrations', async () => {
    const make = (registry: ModelRegistry): TrainingLoop => new TrainingLoop({ agents: (a) => defs[a], registry, registerEvery: 100, minSamples: 50, policy: 'always' });
    const straightRegistry = fakeRegistry();
    const straight = make(straightRegistry);
    // The same batches with and without the restart (a version is checked for at a batch's end).
    for (const b of [...batches(log.slice(0, cut), 250), ...batches(log.slice(cut), 250)]) await straight.apply(b, cursorOf(b.at(-1)!));

    const resumedRegistry = fakeRegistry();
    const first = make(resumedRegistry);
    for (const b of batches(log.slice(0, cut), 250)) await first.apply(b, cursorOf(b.at(-1)!));
    const state = throughJson(first.snapshot());
    const second = make(resumedRegistry);
    second.restore(state);
    for (const b of batches(log.slice(cut), 250)) await second.apply(b, cursorOf(b.at(-1)!));

    expect(straight.stats.joined).toBeGreaterThan(1500);
    expect(second.stats).toEqual(straight.stats);
    expect(resumedRegistry.versions.length).toBeGreaterThan(10);
    expect(resumedRegistry.versions).toEqual(straightRegistry.versions);
    for (const agent of Object.keys(defs)) expect(second.metrics(agent)).toEqual(straight.metrics(agent));
    expect(JSON.stringify(second.snapshot())).toBe(JSON.stringify(straight.snapshot()));
  });

  it('without the waiting decisions in the checkpoint the resumed loop would learn less (the test can tell)', async () => {
    const straight = new TrainingLoop({ agents: (a) => defs[a], registry: fakeRegistry(), registerEvery: 1e9 });
    await straight.apply(log);
    const first = new TrainingLoop({ agents: (a) => defs[a], registry: fakeRegistry(), registerEvery: 1e9 });
    await first.apply(log.slice(0, cut));
    const second = new TrainingLoop({ agents: (a) => defs[a], registry: fakeRegistry(), registerEvery: 1e9 });
    second.restore({ ...throughJson(first.snapshot()), decisions: [] });
    await second.apply(log.slice(cut));
    expect(second.stats.joined).toBeLessThan(straight.stats.joined);
  });

  it('a changed agent definition starts that agent afresh on restore; a missing one is dropped', async () => {
    const first = new TrainingLoop({ agents: (a) => defs[a], registry: fakeRegistry(), registerEvery: 1e9 });
    await first.apply(log.slice(0, cut));
    const changed: Record<string, AgentDefinition> = { reviewer: defs.reviewer!, estimator: parseAgentDefinition({ name: 'estimator', kind: 'regression', feedback: 'label', features: [{ name: 'files', type: 'numeric' }] }) };
    const second = new TrainingLoop({ agents: (a) => changed[a], registry: fakeRegistry(), registerEvery: 1e9 });
    second.restore(throughJson(first.snapshot()));
    expect(second.metrics('estimator')?.samples).toBe(0);
    expect(second.metrics('reviewer')).toEqual(first.metrics('reviewer'));
    expect(second.metrics('deployer')).toBeUndefined();
  });

  it('a checkpoint of another version is refused and changes nothing', () => {
    const loop = new TrainingLoop({ agents: (a) => defs[a], registry: fakeRegistry() });
    expect(() => loop.restore({ version: 2 } as never)).toThrow(/version/);
    expect(loop.snapshot().agents).toEqual([]);
  });

  it('version quality, shadow statistics and the served-quality feed resume exactly', () => {
    const served = (into: [string, unknown][]) => new ServedQualityFeed((agent, o) => into.push([agent, o]));
    const straight = { q: new VersionQuality(), s: new ShadowStats(), out: [] as [string, unknown][] };
    const feed = served(straight.out);
    straight.q.apply(log);
    straight.s.apply(log);
    log.forEach((e) => feed.observe(e));

    const a = { q: new VersionQuality(), s: new ShadowStats(), out: [] as [string, unknown][] };
    const feedA = served(a.out);
    a.q.apply(log.slice(0, cut));
    a.s.apply(log.slice(0, cut));
    log.slice(0, cut).forEach((e) => feedA.observe(e));
    const b = { q: new VersionQuality(), s: new ShadowStats(), out: a.out };
    const feedB = served(b.out);
    b.q.restore(throughJson(a.q.snapshot()));
    b.s.restore(throughJson(a.s.snapshot()));
    feedB.restore(throughJson(feedA.snapshot()));
    b.q.apply(log.slice(cut));
    b.s.apply(log.slice(cut));
    log.slice(cut).forEach((e) => feedB.observe(e));

    expect(straight.q.models().length).toBeGreaterThan(2);
    expect(b.q.models()).toEqual(straight.q.models());
    expect(b.q.rules()).toEqual(straight.q.rules());
    expect(straight.s.all().every((x) => x.withOutcome > 0)).toBe(true);
    expect(b.s.all()).toEqual(straight.s.all());
    expect(straight.out.length).toBeGreaterThan(100);
    expect(b.out).toEqual(straight.out);
  });

  it('checkpoints keep at most checkpointPending waiting entries (newest), so their size is bounded', async () => {
    const loop = new TrainingLoop({ agents: (a) => defs[a], registry: fakeRegistry(), registerEvery: 1e9, checkpointPending: 10 });
    await loop.apply(log.filter((e) => e.type === EventType.DecisionMade).slice(0, 100));
    const s = loop.snapshot();
    expect(s.decisions.length).toBe(10);
    const q = new VersionQuality({ checkpointPending: 7 });
    q.apply(log.slice(0, 500));
    expect(q.snapshot().pending.length).toBe(7);
    const feed = new ServedQualityFeed(() => undefined, 100_000, 5);
    log.slice(0, 500).forEach((e) => feed.observe(e));
    expect(feed.snapshot().pending.length).toBe(5);
  });
});
