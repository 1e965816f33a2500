import fc from 'fast-check';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import { EventType, type NewEvent } from '../../core/events.js';
import { buildReference, type MonitorReport } from '../drift/index.js';
import { normals } from '../drift/testing/generate.js';
import { createMetrics } from '../metrics/index.js';
import type { DriftDetectedData } from './drift-event.js';
import { createDriftService, type DriftService } from './drift-service.js';
import { ReferenceSource, type DriftReference, type DriftServiceOptions } from './types.js';

const WINDOW = 500;
const NUMERIC = ['latency', 'lines', 'files'] as const;
const TOOLS = ['jest', 'vitest', 'mocha', 'ava'];

/** Training data: three numeric features ~ N(0, 1) and a categorical one. */
function trainingReference(modelVersion = 1): DriftReference {
  return {
    modelVersion,
    features: {
      latency: buildReference(normals(800, 1)),
      lines: buildReference(normals(800, 2)),
      files: buildReference(normals(800, 3)),
      tool: buildReference(normals(800, 4).map((z) => TOOLS[Math.min(3, Math.floor(Math.abs(z) * 2))]!)),
    },
  };
}

/** `n` decisions whose numeric features are N(shift, 1) (seeded), tool from the training mix. */
function decisions(n: number, seed: number, shift = 0, agent = 'reviewer', modelVersion?: number) {
  const cols = NUMERIC.map((_, i) => normals(n, seed * 10 + i, shift));
  const tools = normals(n, seed * 10 + 9).map((z) => TOOLS[Math.min(3, Math.floor(Math.abs(z) * 2))]!);
  return Array.from({ length: n }, (_, k) => decision(agent, { latency: cols[0]![k]!, lines: cols[1]![k]!, files: cols[2]![k]!, tool: tools[k]! }, modelVersion));
}

const decision = (agent: string, features: Record<string, unknown> | undefined, modelVersion?: number): Pick<NewEvent, 'type' | 'data'> => ({
  type: EventType.DecisionMade,
  data: { decisionId: 'd', agent, unitId: 'u', value: 1, source: 'deterministic', reason: 'RULES', variant: 'deterministic', propensity: 1, latencyMs: 1, features, modelVersion },
});

function setup(overrides: Partial<DriftServiceOptions> = {}) {
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const recorded: NewEvent[] = [];
  const drifts: [string, MonitorReport][] = [];
  let now = 1_700_000_000_000;
  const service = createDriftService({
    metrics,
    writer: { record: (e) => void recorded.push(e) },
    referenceFor: () => Promise.resolve(trainingReference()),
    onDrift: (agent, report) => void drifts.push([agent, report]),
    clock: () => now,
    windowSize: WINDOW,
    ...overrides,
  });
  const feed = (events: readonly Pick<NewEvent, 'type' | 'data'>[]) => {
    for (const e of events) {
      service.observe(e);
      now += 10;
    }
  };
  return { registry, service, recorded, drifts, feed, advance: (ms: number) => (now += ms) };
}

/** Value of one sample in the Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const have = inner.split(',');
    if (want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** Registers the agent and waits for its reference. */
const ready = (service: DriftService, agent = 'reviewer') => service.refreshReference(agent);

describe('createDriftService', () => {
  it('detects a generated drift: metrics on scrape, a DriftDetected event with per-feature verdicts, onDrift, isDrifting', async () => {
    const { registry, service, recorded, drifts, feed } = setup();
    await ready(service);
    feed(decisions(WINDOW, 1)); // one full window, no drift
    expect(service.status('reviewer')?.report?.datasetDrift).toBe(false);
    expect(service.isDrifting('reviewer')).toBe(false);
    expect(recorded).toHaveLength(0);

    feed(decisions(WINDOW, 2, 1.5)); // numeric features shifted by 1.5 sd: 3 of 4 features drift
    expect(service.isDrifting('reviewer')).toBe(true);
    expect(drifts.map(([a, r]) => [a, r.datasetDrift])).toEqual([['reviewer', true]]);
    expect(recorded).toHaveLength(1);
    const event = recorded[0]! as NewEvent<string, DriftDetectedData>;
    expect(event).toMatchObject({ type: EventType.DriftDetected, stream: 'drift-reviewer', metadata: { actor: 'drift-monitor' } });
    expect(event.data).toMatchObject({ agent: 'reviewer', before: { datasetDrift: false }, after: { datasetDrift: true }, driftedCount: 3, featureCount: 4 });
    expect(event.data.reference).toMatchObject({ source: ReferenceSource.MODEL, modelVersion: 1 });
    for (const f of NUMERIC) {
      expect(event.data.features[f]).toMatchObject({ method: 'ks', threshold: 0.05, drifted: true });
      expect(event.data.features[f]!.statistic).toBeGreaterThan(0.3);
      expect(event.data.features[f]!.pValue).toBeLessThan(1e-6);
    }
    expect(event.data.features['tool']).toMatchObject({ method: 'chisquare', drifted: false });

    const text = await registry.metrics();
    expect(sample(text, 'apprentice_dataset_drift_detected', { agent: 'reviewer' })).toBe(1);
    expect(sample(text, 'apprentice_dataset_drift_share', { agent: 'reviewer' })).toBe(0.75);
    expect(sample(text, 'apprentice_feature_drift_detected', { agent: 'reviewer', feature: 'latency' })).toBe(1);
    expect(sample(text, 'apprentice_feature_drift_detected', { agent: 'reviewer', feature: 'tool' })).toBe(0);
    expect(sample(text, 'apprentice_feature_drift_score', { agent: 'reviewer', feature: 'latency', method: 'ks' })).toBe(
      event.data.features['latency']!.statistic,
    );
    expect(sample(text, 'apprentice_feature_drift_score', { agent: 'reviewer', feature: 'tool', method: 'chisquare' })).toBeGreaterThanOrEqual(0);
  });

  it('does not alarm on a stream from the training distribution, and exports 0', async () => {
    const { registry, service, recorded, drifts, feed } = setup();
    await ready(service);
    feed(decisions(WINDOW * 10, 7));
    expect(service.status('reviewer')?.report?.windowIndex).toBe(9);
    expect(recorded).toHaveLength(0);
    expect(drifts).toHaveLength(0);
    expect(service.isDrifting('reviewer')).toBe(false);
    const text = await registry.metrics();
    expect(sample(text, 'apprentice_dataset_drift_detected', { agent: 'reviewer' })).toBe(0);
  });

  it('records the return to normal as a second event and calls onDrift again; the gauges follow', async () => {
    const { registry, service, recorded, drifts, feed } = setup();
    await ready(service);
    const detected = async () => sample(await registry.metrics(), 'apprentice_dataset_drift_detected', { agent: 'reviewer' });
    const latencyScore = async () => sample(await registry.metrics(), 'apprentice_feature_drift_score', { agent: 'reviewer', feature: 'latency', method: 'ks' });
    feed(decisions(WINDOW, 1, 2));
    expect(service.isDrifting('reviewer')).toBe(true);
    expect(await detected()).toBe(1);
    const drifted = await latencyScore();
    feed(decisions(WINDOW / 2, 2));
    expect(await detected()).toBe(1); // an unchanged window keeps its values from scrape to scrape
    expect(await latencyScore()).toBe(drifted);
    feed(decisions(WINDOW / 2, 3));
    expect(service.isDrifting('reviewer')).toBe(false);
    expect(await detected()).toBe(0);
    expect(await latencyScore()).toBeLessThan(drifted!);
    expect(recorded.map((e) => (e.data as DriftDetectedData).after.datasetDrift)).toEqual([true, false]);
    expect(drifts.map(([, r]) => r.datasetDrift)).toEqual([true, false]);
    expect(recorded[1]!.metadata.reason).toMatch(/cleared/);
  });

  it('never judges unmonitored (free-text) features: a new text in every decision drifts nothing, with either reference', async () => {
    const withText = (events: ReturnType<typeof decisions>, tag: string) =>
      events.map((e, i) => ({ ...e, data: { ...(e.data as object), features: { ...((e.data as { features: object }).features), topic: `${tag} topic ${i}` } } }));
    const trainedOnText = (): DriftReference => {
      const r = trainingReference();
      return { ...r, features: { ...r.features, topic: buildReference(Array.from({ length: 50 }, (_, i) => `train topic ${i}`)) } };
    };
    for (const referenceFor of [() => Promise.resolve(trainedOnText()), () => Promise.resolve(undefined)]) {
      // Judged as a category against the texts of training, every new text is drift.
      const judged = setup({ referenceFor: () => Promise.resolve(trainedOnText()) });
      await ready(judged.service);
      judged.feed(withText(decisions(WINDOW, 1), 'a'));
      expect(judged.service.status('reviewer')?.report?.features['topic']).toMatchObject({ drifted: true });

      const { service, feed, drifts } = setup({ referenceFor, unmonitored: (agent) => (agent === 'reviewer' ? ['topic'] : []) });
      await ready(service);
      feed(withText(decisions(WINDOW, 1), 'a'));
      feed(withText(decisions(WINDOW, 2), 'b'));
      const report = service.status('reviewer')?.report;
      expect(report).toBeDefined();
      expect(Object.keys(report!.features).sort()).toEqual(['files', 'latency', 'lines', 'tool']);
      expect(drifts).toHaveLength(0);
    }
  });

  it('uses the first full window as the reference until the registry has one, and says so', async () => {
    const { service, recorded, feed } = setup({ referenceFor: () => Promise.resolve(undefined) });
    await ready(service);
    expect(service.status('reviewer')).toMatchObject({ phase: 'collecting', reference: { source: ReferenceSource.NONE } });
    feed(decisions(WINDOW, 1));
    const status = service.status('reviewer')!;
    expect(status).toMatchObject({ phase: 'monitoring', reference: { source: ReferenceSource.FIRST_WINDOW, modelVersion: null, features: 4 } });
    expect(status.reference.note).toMatch(/first 500 decisions are the reference/);
    feed(decisions(WINDOW, 2));
    expect(service.isDrifting('reviewer')).toBe(false);
    feed(decisions(WINDOW, 3, 1.5));
    expect(service.isDrifting('reviewer')).toBe(true);
    expect((recorded[0]!.data as DriftDetectedData).reference.source).toBe(ReferenceSource.FIRST_WINDOW);
  });

  it('pulls the reference at first sight, again when the served model version changes or an alias moves', async () => {
    const referenceFor = vi.fn((agent: string) => Promise.resolve(agent === 'reviewer' ? trainingReference(referenceFor.mock.calls.length) : undefined) /* the n-th pull serves version n */);
    const { service, feed } = setup({ referenceFor });
    const settled = () => new Promise((resolve) => setImmediate(resolve));
    feed([decision('reviewer', { latency: 0 }, 3)]);
    await settled();
    expect(referenceFor).toHaveBeenCalledTimes(1);
    expect(service.status('reviewer')?.reference).toMatchObject({ source: ReferenceSource.MODEL, modelVersion: 1 });
    feed(decisions(10, 1, 0, 'reviewer', 3));
    await settled();
    expect(referenceFor).toHaveBeenCalledTimes(1);
    feed(decisions(1, 1, 0, 'reviewer', 4));
    await settled();
    expect(referenceFor).toHaveBeenCalledTimes(2);
    expect(service.status('reviewer')?.reference.modelVersion).toBe(2);
    service.observe({ type: EventType.ModelAliasMoved, data: { agent: 'reviewer', alias: 'champion', from: 4, to: 5 } });
    service.observe({ type: EventType.ModelAliasMoved, data: { agent: 'unknown-agent', alias: 'champion', from: 4, to: 5 } });
    await settled();
    expect(referenceFor).toHaveBeenCalledTimes(3);
    expect(referenceFor.mock.calls.map(([agent]) => agent)).toEqual(['reviewer', 'reviewer', 'reviewer']);
    // A change while a pull is running is pulled again once it ends (the latest version wins).
    feed(decisions(1, 1, 0, 'reviewer', 5));
    feed(decisions(1, 1, 0, 'reviewer', 6));
    await settled();
    expect(referenceFor).toHaveBeenCalledTimes(5);
    expect(service.status('reviewer')?.reference.modelVersion).toBe(5);
    // setReference drops the current window: monitoring restarts against the new training data.
    expect(service.status('reviewer')?.windowDecisions).toBe(0);
  });

  it('exports the completeness of the open window until the first window closes', async () => {
    const { registry, service, feed } = setup();
    await ready(service);
    const completeness = async () => sample(await registry.metrics(), 'apprentice_feature_completeness_ratio', { agent: 'reviewer', feature: 'files' });
    feed([decision('reviewer', { latency: 1 })]);
    expect(await completeness()).toBe(0);
    feed(decisions(3, 1));
    expect(await completeness()).toBe(0.75);
  });

  it('exports freshness and completeness per agent and feature', async () => {
    const { registry, service, feed, advance } = setup();
    await ready(service);
    // `files` is absent from every other decision.
    feed(decisions(WINDOW, 1).map((d, i) => (i % 2 ? d : decision('reviewer', { ...(d.data as { features: object }).features, files: undefined }))));
    advance(5000);
    const text = await registry.metrics();
    expect(sample(text, 'apprentice_feature_completeness_ratio', { agent: 'reviewer', feature: 'files' })).toBeCloseTo(0.5, 2);
    expect(sample(text, 'apprentice_feature_completeness_ratio', { agent: 'reviewer', feature: 'latency' })).toBeCloseTo(1, 2);
    expect(sample(text, 'apprentice_feature_freshness_seconds', { agent: 'reviewer', feature: 'latency' })).toBe(5.01);
    const q = service.status('reviewer')!.quality;
    expect(Object.keys(q).sort()).toEqual(['files', 'latency', 'lines', 'tool']);
  });

  it('keeps constant memory per feature: footprints do not grow with observations', async () => {
    const { service, feed } = setup({ reservoirSize: 200 });
    await ready(service);
    feed(decisions(300, 1));
    const early = service.footprint('reviewer')!;
    feed(decisions(WINDOW * 8, 2)); // same position in the window as `early`, 8 windows later
    const late = service.footprint('reviewer')!;
    expect(late).toEqual(early);
    for (const f of NUMERIC) expect(late[f]).toMatchObject({ sampleValues: 200, sampleCapacity: 200 });
    expect(late['tool']!.categories).toBeLessThanOrEqual(TOOLS.length + 1);
  });

  it('treats objects and arrays as missing values and ignores unknown features and other events', async () => {
    const { service, feed } = setup();
    await ready(service);
    feed([decision('reviewer', { latency: { nested: 1 }, lines: [1], unknown: 3 })]);
    service.observe({ type: EventType.OutcomeRecorded, data: { decisionId: 'd', kind: 'explicit', reward: 1 } });
    const q = service.status('reviewer')!.quality;
    expect(q['latency']).toMatchObject({ total: 1, count: 0 });
    expect(q['lines']).toMatchObject({ total: 1, count: 0 });
    expect(q['files']).toMatchObject({ total: 1, count: 0 });
    expect(q['unknown']).toBeUndefined();
    expect(service.status('other')).toBeUndefined();
    expect(service.isDrifting('other')).toBe(false);
  });

  it('reports errors of referenceFor and onDrift without breaking observe', async () => {
    const errors: unknown[] = [];
    const { service, feed } = setup({
      referenceFor: () => Promise.reject(new Error('registry down')),
      onDrift: () => {
        throw new Error('controller down');
      },
      onError: (e) => void errors.push(e),
    });
    await ready(service);
    feed(decisions(WINDOW, 1));
    feed(decisions(WINDOW, 2, 2));
    expect(service.isDrifting('reviewer')).toBe(true);
    expect(errors.map((e) => (e as Error).message)).toEqual(['registry down', 'controller down']);
  });

  it('validates its options', () => {
    expect(() => setup({ windowSize: 0 })).toThrow(ValidationError);
    expect(() => setup({ driftShare: 1.5 })).toThrow(ValidationError);
    const { service } = setup();
    expect(() => service.setReference('reviewer', { features: {} })).toThrow(ValidationError);
  });

  it('stops feeding the gauges after close', async () => {
    const { registry, service, feed } = setup();
    await ready(service);
    feed(decisions(WINDOW, 1));
    service.close();
    service.close();
    registry.resetMetrics();
    const text = await registry.metrics();
    expect(sample(text, 'apprentice_dataset_drift_detected', { agent: 'reviewer' })).toBeUndefined();
  });
});

describe('createDriftService (properties)', () => {
  it('never throws on arbitrary feature payloads and keeps every sketch within its capacity', () => {
    const value = fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer(), { maxLength: 2 }));
    const row = fc.option(fc.dictionary(fc.constantFrom('latency', 'lines', 'files', 'tool', 'extra'), value), { nil: undefined });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 120 }), fc.boolean(), (rows, withReference) => {
        const { service } = setup({ windowSize: 20, reservoirSize: 8, referenceFor: () => Promise.resolve(undefined) });
        if (withReference) service.setReference('reviewer', trainingReference());
        for (const features of rows) service.observe(decision('reviewer', features));
        const status = service.status('reviewer');
        expect(status?.decisions ?? 0).toBe(rows.length);
        for (const fp of Object.values(service.footprint('reviewer') ?? {})) expect(fp.sampleValues).toBeLessThanOrEqual(fp.sampleCapacity);
        expect(status?.windowDecisions ?? 0).toBeLessThan(20);
      }),
      { numRuns: 100 },
    );
  });
});
