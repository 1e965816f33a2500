import { Gauge, Registry, register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../core/errors.js';
import { describeMetrics } from './catalogue.js';
import { collectFrom, onCollect } from './collect.js';
import { BreakerStateValue, MetricName } from './metric-names.js';
import { createMetrics } from './metrics.js';

const valueOf = async (registry: Registry, name: string, labels: Record<string, string> = {}) => {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`missing ${name}`);
  const data = await metric.get();
  return data.values.find((v) => Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value;
};

describe('metric catalogue', () => {
  const all = describeMetrics();

  it('has at least 50 families, all in the apprentice_ namespace, unique', () => {
    expect(all.length).toBeGreaterThanOrEqual(50);
    expect(new Set(all.map((m) => m.name)).size).toBe(all.length);
    for (const m of all) expect(m.name).toMatch(/^apprentice_[a-z0-9_]+$/);
    expect(all.map((m) => m.name).sort()).toEqual(Object.values(MetricName).sort());
  });

  it('follows Prometheus naming: counters end in _total, only counters do, histograms carry a unit', () => {
    for (const m of all) {
      if (m.type === 'counter') expect(m.name, m.name).toMatch(/_total$/);
      else expect(m.name, m.name).not.toMatch(/_total$/);
      if (m.type === 'histogram') expect(m.name, m.name).toMatch(/_seconds$/);
      expect(m.name, `${m.name} uses base units`).not.toMatch(/_(ms|milliseconds|percent|percentage|kb|mb)$/);
      expect(m.help.length, m.name).toBeGreaterThan(10);
    }
  });

  it('uses label names valid in Prometheus and never the reserved le/quantile', () => {
    for (const m of all)
      for (const l of m.labelNames) {
        expect(l).toMatch(/^[a-z_][a-z0-9_]*$/);
        expect(['le', 'quantile']).not.toContain(l);
      }
  });

  it('gives histograms strictly increasing buckets', () => {
    for (const m of all.filter((d) => d.type === 'histogram')) {
      const b = m.buckets ?? [];
      expect(b.length).toBeGreaterThan(3);
      for (let i = 1; i < b.length; i++) expect(b[i]!).toBeGreaterThan(b[i - 1]!);
    }
  });
});

describe('createMetrics', () => {
  it('registers every family in the injected registry, not the global one', async () => {
    const before = (await globalRegistry.getMetricsAsJSON()).length;
    const registry = new Registry();
    createMetrics(registry);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names.sort()).toEqual(Object.values(MetricName).sort());
    expect((await globalRegistry.getMetricsAsJSON()).length).toBe(before);
  });

  it('records typed label values and exposes them in the text format', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry, { version: '1.2.3' });
    metrics.decisionsTotal.inc({ agent: 'debugger', source: 'ml', variant: 'ml', reason: 'MODEL' });
    metrics.decisionsTotal.inc({ agent: 'debugger', source: 'ml', variant: 'ml', reason: 'MODEL' }, 2);
    metrics.decisionDurationSeconds.observe({ agent: 'debugger', source: 'ml' }, 0.00003);
    metrics.shadowQueueDepth.set(4);
    // @ts-expect-error unknown label names do not compile (and prom-client rejects them at run time)
    expect(() => metrics.decisionFallbacksTotal.inc({ agent: 'debugger', colour: 'red' })).toThrow(/colour/);
    const text = await registry.metrics();
    expect(text).toContain(
      'apprentice_decisions_total{agent="debugger",source="ml",variant="ml",reason="MODEL"} 3',
    );
    expect(text).toContain(
      'apprentice_decision_duration_seconds_bucket{le="0.00005",agent="debugger",source="ml"} 1',
    );
    expect(text).toContain('apprentice_shadow_queue_depth 4');
    expect(text).toMatch(/apprentice_build_info\{version="1.2.3",node_version="v\d+[^"]*"\} 1/);
  });

  it('refuses a registry that already holds apprentice metrics', () => {
    const registry = new Registry();
    createMetrics(registry);
    let caught: unknown;
    try {
      createMetrics(registry);
    } catch (e) {
      caught = e;
    }
    expect(isApprenticeError(caught) && caught.code).toBe('CONFLICT');
  });
});

describe('collect callbacks', () => {
  it('computes gauges from getters at scrape time and unsubscribes', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    let depth = 3;
    const dispose = collectFrom(metrics.shadowQueueDepth, () => depth);
    expect(await valueOf(registry, MetricName.shadowQueueDepth)).toBe(3);
    depth = 7;
    expect(await valueOf(registry, MetricName.shadowQueueDepth)).toBe(7);
    dispose();
    dispose();
    depth = 9;
    expect(await valueOf(registry, MetricName.shadowQueueDepth)).toBe(7);
  });

  it('sets labelled samples, removes vanished label sets, leaves other getters alone', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    let agents = ['debugger', 'pisarz'];
    collectFrom(metrics.breakerState, async () =>
      agents.map((agent) => ({ labels: { agent, kind: 'failure' }, value: BreakerStateValue.open })),
    );
    collectFrom(metrics.breakerState, () => [{ labels: { agent: 'pr-manager', kind: 'slow' }, value: 1 }]);
    expect(await valueOf(registry, MetricName.breakerState, { agent: 'pisarz' })).toBe(2);
    agents = ['debugger'];
    const data = await metrics.breakerState.get();
    expect(data.values.map((v) => v.labels.agent).sort()).toEqual(['debugger', 'pr-manager']);
  });

  it('keeps the scrape alive when a getter throws and reports the error', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    const errors: unknown[] = [];
    let fail = false;
    collectFrom(
      metrics.busSpoolEvents,
      () => {
        if (fail) throw new Error('boom');
        return 5;
      },
      { onError: (e) => errors.push(e) },
    );
    expect(await valueOf(registry, MetricName.busSpoolEvents)).toBe(5);
    fail = true;
    await expect(registry.metrics()).resolves.toContain('apprentice_bus_spool_events 5');
    expect(errors).toHaveLength(1);
  });

  it('a callback that feeds a counter (declared before its gauge) shows in the same scrape, the first one included', async () => {
    const registry = new Registry();
    const metrics = createMetrics(registry);
    let published = 4;
    let seen = 0;
    // wireRuntimeMetrics' pattern: cumulative counts become counter increments at scrape time.
    onCollect(metrics.writerBufferEvents, () => {
      metrics.busPublishedTotal.inc({ stream: 'events' }, published - seen);
      seen = published;
    });
    expect(await registry.metrics()).toMatch(/^apprentice_bus_published_total\{stream="events"\} 4$/m);
    published = 10;
    expect(await registry.metrics()).toMatch(/^apprentice_bus_published_total\{stream="events"\} 10$/m);
  });

  it('rejects gauges not created by createMetrics', () => {
    const foreign = new Gauge({ name: 'foreign_gauge', help: 'x', registers: [] });
    expect(() => onCollect(foreign, () => undefined)).toThrow(/createMetrics/);
  });
});
