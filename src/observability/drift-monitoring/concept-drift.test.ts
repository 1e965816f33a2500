import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../core/index.js';
import { createMetrics } from '../metrics/index.js';
import { ConceptDriftMonitor, type ConceptDriftDetectedData } from './concept-drift.js';

interface RefCase {
  model: number[];
  rules: number[];
  registration: number;
  minDrop: number;
  rulesZ: number;
  rulesP: number;
  registrationZ: number;
  registrationP: number;
}
const ref = JSON.parse(readFileSync(new URL('./testing/concept-reference.json', import.meta.url), 'utf8')) as { cases: RefCase[] };

/** Deterministic 0/1 scores: a share `p` of ones, spread evenly (no randomness needed). */
const spread = (i: number, p: number, phase = 0): number => (Math.floor((i + 1) * p + phase) - Math.floor(i * p + phase) > 0 ? 1 : 0);

const setup = (extra: Partial<ConstructorParameters<typeof ConceptDriftMonitor>[0]> = {}) => {
  const events: NewEvent[] = [];
  const drifts: ConceptDriftDetectedData[] = [];
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const monitor = new ConceptDriftMonitor({
    writer: { record: (e) => void events.push(e) },
    metrics,
    registrationQuality: (_agent, v) => (v === 1 ? 0.8 : undefined),
    onConceptDrift: (_agent, d) => void drifts.push(d),
    clock: () => Date.parse('2026-01-01T00:00:00Z'),
    ...extra,
  });
  return { events, drifts, registry, metrics, monitor };
};

describe('concept drift monitor', () => {
  it('computes its one-sided tests as scipy does (ttest_1samp statistic, normal lower tail)', () => {
    for (const c of ref.cases) {
      const m = new ConceptDriftMonitor({ writer: { record: () => undefined }, window: c.model.length, minOutcomes: 2, minDrop: c.minDrop, registrationQuality: () => c.registration });
      c.model.forEach((x, i) => m.observe('a', { model: x, rules: c.rules[i]!, modelVersion: 1 }));
      const s = m.status('a')!;
      expect(s.rulesTest.z).toBeCloseTo(c.rulesZ, 9);
      expect(s.rulesTest.pValue / c.rulesP).toBeCloseTo(1, 6);
      expect(s.registrationTest!.z).toBeCloseTo(c.registrationZ, 9);
      expect(s.registrationTest!.pValue / c.registrationP).toBeCloseTo(1, 6);
    }
  });

  it('emits one DriftDetected of kind concept with its evidence when the served model drops below the rules and its registration quality', async () => {
    const { events, drifts, monitor, registry } = setup();
    // 300 outcomes as registered (0.8 vs rules 0.7): silent.
    for (let i = 0; i < 300; i++) monitor.observe('clf', { model: spread(i, 0.8), rules: spread(i, 0.7, 0.5), modelVersion: 1 });
    expect(events).toEqual([]);
    // The truth changes: the model is right 60% of the time, the rules 70%.
    let at = -1;
    for (let i = 0; i < 200 && at < 0; i++) {
      monitor.observe('clf', { model: spread(i, 0.6), rules: spread(i, 0.7, 0.5), modelVersion: 1 });
      if (events.length > 0) at = i;
    }
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(100);
    for (let i = 0; i < 200; i++) monitor.observe('clf', { model: 0, rules: 1, modelVersion: 1 });
    expect(events).toHaveLength(1); // once per version
    const e = events[0]!;
    expect(e).toMatchObject({ type: 'DriftDetected', stream: 'drift-clf', metadata: { actor: 'drift-monitor', reason: expect.stringMatching(/^concept drift of version 1: /) } });
    const d = e.data as ConceptDriftDetectedData;
    expect(d).toMatchObject({ agent: 'clf', kind: 'concept', modelVersion: 1, registration: 0.8, alpha: 0.01, minDrop: 0.05 });
    expect(d.model).toBeLessThan(0.8 - 0.05);
    expect(d.gapToRegistration).toBeCloseTo(d.model - 0.8, 12);
    expect(d.gapToRules).toBeCloseTo(d.model - d.rules, 12);
    expect(Math.min(d.rulesTest.pValue, d.registrationTest!.pValue)).toBeLessThan(0.01);
    expect(drifts).toEqual([d]);
    const text = await registry.metrics();
    expect(text).toContain('apprentice_concept_drift_detected_total{agent="clf"} 1');
    expect(text).toMatch(/apprentice_concept_quality_gap\{agent="clf",reference="rules"\} -1\n/);
    expect(text).toMatch(/apprentice_concept_quality_gap\{agent="clf",reference="registration"\} -0\.8\n/);
  });

  it('fires on the rules comparison alone when the version has no registration quality', () => {
    const { events, monitor } = setup({ registrationQuality: () => undefined });
    for (let i = 0; i < 100; i++) monitor.observe('x', { model: spread(i, 0.5), rules: spread(i, 0.9, 0.5), modelVersion: 7 });
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ trigger: 'rules', registration: null, registrationTest: null, modelVersion: 7 });
  });

  it('starts a fresh window for a new served version', () => {
    const { events, monitor } = setup({ registrationQuality: () => undefined });
    for (let i = 0; i < 100; i++) monitor.observe('x', { model: 0, rules: 1, modelVersion: 1 });
    expect(events).toHaveLength(1);
    monitor.observe('x', { model: 1, rules: 1, modelVersion: 2 });
    expect(monitor.status('x')).toBeUndefined(); // below the minimum again
    for (let i = 0; i < 100; i++) monitor.observe('x', { model: 0, rules: 1, modelVersion: 2 });
    expect(events.map((e) => (e.data as ConceptDriftDetectedData).modelVersion)).toEqual([1, 2]);
  });

  it('stays silent over 1,000 outcomes of a model better than the rules and as good as registered (seeded noise)', () => {
    const { events, monitor } = setup();
    let s = 16;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let i = 0; i < 1000; i++) monitor.observe('clf', { model: rnd() < 0.8 ? 1 : 0, rules: rnd() < 0.7 ? 1 : 0, modelVersion: 1 });
    expect(events).toEqual([]);
    expect(monitor.status('clf')!.gapToRules).toBeGreaterThan(0);
  });
});
