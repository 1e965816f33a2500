/**
 * Drift monitoring bench (issue 6 done-criteria):
 * - `metrics-render-8x70`: `registry.metrics()` (what `GET /metrics` serves) with 8 agents ×
 *   70 features populated: drift score / verdict, freshness, completeness per feature, dataset
 *   share / verdict per agent, plus every other family of the catalogue. p50 and p99 over
 *   repeated renders.
 * - `drift-service-observe`: `DriftService.observe(DecisionMade)` cost per feature value,
 *   amortised over whole windows (window evaluation included) on an agent with 70 features.
 */
import { Registry } from 'prom-client';
import { EventType, type NewEvent } from '../src/core/events.js';
import { buildReference, type ReferenceSnapshot } from '../src/observability/drift/index.js';
import { normals } from '../src/observability/drift/testing/generate.js';
import { createDriftService, type DriftService } from '../src/observability/drift-monitoring/index.js';
import { createMetrics } from '../src/observability/metrics/index.js';
import { fig, measureSync, summarize, type BenchSuite, type Figure } from './harness.js';

const AGENTS = 8;
const NUMERIC = 50;
const CATEGORICAL = 20;
const FEATURES = NUMERIC + CATEGORICAL;
const WINDOW = 1000;
const ROWS = 2048;
const RENDER_TARGET_MS = 50;
const OBSERVE_TARGET_NS = 1000;
const CATS = Array.from({ length: 30 }, (_, i) => `tool_${i}`);
const cat = (z: number): string => CATS[Math.min(29, Math.floor(Math.abs(z) * 10))]!;

type Decision = Pick<NewEvent, 'type' | 'data'>;

/** Training reference and a stream of decisions (a few numeric features shifted) for one agent. */
function agentData(agent: string, seed: number): { reference: Record<string, ReferenceSnapshot>; rows: Decision[] } {
  const reference: Record<string, ReferenceSnapshot> = {};
  const cols: (number | string)[][] = [];
  const names: string[] = [];
  for (let f = 0; f < NUMERIC; f++) {
    const name = `num_${f}`;
    names.push(name);
    // Half the features with a small reference (KS), half with a large one (Wasserstein).
    reference[name] = buildReference(normals(f % 2 ? 800 : 5000, seed + f));
    cols.push(normals(ROWS, seed + 1000 + f, f % 5 === 0 ? 0.3 : 0));
  }
  for (let f = 0; f < CATEGORICAL; f++) {
    const name = `cat_${f}`;
    names.push(name);
    reference[name] = buildReference(normals(f % 2 ? 600 : 3000, seed + 500 + f).map(cat));
    cols.push(normals(ROWS, seed + 2000 + f).map(cat));
  }
  const rows = Array.from({ length: ROWS }, (_, r) => {
    const features: Record<string, number | string> = {};
    names.forEach((n, f) => (features[n] = cols[f]![r]!));
    return {
      type: EventType.DecisionMade,
      data: { decisionId: `d${r}`, agent, unitId: `u${r}`, value: 1, source: 'ml', reason: 'MODEL', variant: 'ml', propensity: 1, latencyMs: 1, modelVersion: 1, features },
    };
  });
  return { reference, rows };
}

function setup(agents: number): { service: DriftService; registry: Registry; streams: Decision[][] } {
  const registry = new Registry();
  const service = createDriftService({
    metrics: createMetrics(registry),
    writer: { record: () => undefined },
    referenceFor: () => Promise.resolve(undefined),
    windowSize: WINDOW,
  });
  const streams: Decision[][] = [];
  for (let i = 0; i < agents; i++) {
    const agent = `agent-${i}`;
    const { reference, rows } = agentData(agent, 17 * (i + 1));
    service.setReference(agent, { features: reference, modelVersion: 1 });
    streams.push(rows);
  }
  return { service, registry, streams };
}

async function renderMs(): Promise<{ p50: number; p99: number; bytes: number; samples: number }> {
  const { service, registry, streams } = setup(AGENTS);
  // Two closed windows and a half-full one per agent: every gauge has its 8 × 70 samples.
  for (const rows of streams) for (let k = 0; k < 2.5 * WINDOW; k++) service.observe(rows[k % ROWS]!);
  let text = '';
  for (let i = 0; i < 10; i++) text = await registry.metrics();
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = process.hrtime.bigint();
    text = await registry.metrics();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const s = summarize(times);
  const samples = text.split('\n').filter((l) => /^apprentice_(feature|dataset)_/.test(l)).length;
  return { p50: s.p50, p99: s.p99, bytes: text.length, samples };
}

function observeCost(): { amortizedNs: number; p50Ns: number; p99Ns: number } {
  const { service, streams } = setup(1);
  const rows = streams[0]!;
  // Per-decision blocks (mostly without a window close): the steady-state cost.
  const s = measureSync((i) => service.observe(rows[i & (ROWS - 1)]!), { iterations: 5_000, warmup: 200, inner: 10 });
  // Whole windows, evaluation included: 20 windows of 1000 decisions × 70 features.
  const decisions = 20 * WINDOW;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < decisions; i++) service.observe(rows[i & (ROWS - 1)]!);
  const total = Number(process.hrtime.bigint() - t0);
  return { amortizedNs: total / (decisions * FEATURES), p50Ns: (s.p50 * 1000) / FEATURES, p99Ns: (s.p99 * 1000) / FEATURES };
}

const suite: BenchSuite = {
  name: 'drift-metrics',
  figures: ['metrics-render-8x70', 'drift-service-observe'],
  async run(only?: string): Promise<Figure[]> {
    const out: Figure[] = [];
    if (!only || only === 'metrics-render-8x70') {
      const r = await renderMs();
      out.push(
        fig({
          name: 'metrics-render-8x70',
          value: r.p99,
          unit: 'ms (p99)',
          target: `<= ${RENDER_TARGET_MS}`,
          ok: r.p99 <= RENDER_TARGET_MS,
          note: `p50 ${r.p50.toFixed(2)} ms over 200 renders; ${r.samples} drift/quality samples, ${(r.bytes / 1024).toFixed(0)} KiB`,
        }),
      );
    }
    if (!only || only === 'drift-service-observe') {
      const c = observeCost();
      out.push(
        fig({
          name: 'drift-service-observe',
          value: c.amortizedNs,
          unit: 'ns/value',
          target: `<= ${OBSERVE_TARGET_NS}`,
          ok: c.amortizedNs <= OBSERVE_TARGET_NS,
          note: `amortised over 20 windows × 1000 decisions × ${FEATURES} features (evaluation included); steady state p50 ${c.p50Ns.toFixed(0)} ns, p99 ${c.p99Ns.toFixed(0)} ns`,
        }),
      );
    }
    return out;
  },
};

export default suite;
