import { EventEmitter } from 'node:events';
import { GrowthBookClient } from '@growthbook/growthbook';
import { FlagdCore } from '@openfeature/flagd-core';
import { Unleash, UnleashEvents } from 'unleash-client';
import type { ClientFeaturesResponse } from 'unleash-client';
import { createFlagEvaluator, rolloutFlag, rolloutFlagKey } from '../src/experiments/flags/index.js';
import { type BenchSuite, type Figure, type LatencyStats, fig, measureSync } from './harness.js';

/**
 * Flag evaluation on the decision hot path: one rollout flag (25% `ml`, fractional split by
 * unitId), evaluated for a rotating set of units by apprentice's evaluator and, in the same
 * run, by flagd-core, GrowthBook (a force+coverage rollout rule) and Unleash (flexibleRollout).
 *
 * Nothing leaves the machine: flagd-core and apprentice are in-process; GrowthBook is loaded
 * with `initSync` (no API host is contacted); Unleash gets an in-memory repository, auto start,
 * refresh and metrics off, and a URL on a closed loopback port that is never called.
 */

const AGENT = 'debugger';
const KEY = rolloutFlagKey(AGENT);
const PCT = 25;
const UNITS = Array.from({ length: 4096 }, (_, i) => `task-${i}-${(i * 2654435761) % 999983}`);
const MASK = UNITS.length - 1;

type Toggle = ClientFeaturesResponse['features'][number];

/** Unleash repository serving fixed toggles from memory: no fetcher, no backup file. */
class InMemoryRepository extends EventEmitter {
  constructor(private readonly toggles: Toggle[]) {
    super();
  }
  getToggle(name: string): Toggle | undefined {
    return this.toggles.find((t) => t.name === name);
  }
  getToggles(): Toggle[] {
    return this.toggles;
  }
  getTogglesWithSegmentData(): never[] {
    return []; // segments are not used by the bench toggle
  }
  getSegment(): undefined {
    return undefined;
  }
  start(): Promise<void> {
    this.emit(UnleashEvents.Ready);
    return Promise.resolve();
  }
  stop(): void {}
}

const ROUNDS = 3;

function peerFigure(name: string, p50: number, p99: number, ours: number, note: string): Figure {
  return fig({
    name,
    value: p50,
    unit: 'µs',
    target: `>= ours (${ours.toPrecision(3)} µs)`,
    ok: p50 >= ours,
    baseline: ours,
    ratio: p50 / ours,
    note: `${note}; ratio = peer/ours; p99 ${p99.toPrecision(3)} µs`,
  });
}

const suite: BenchSuite = {
  name: 'flags',
  figures: ['flag-evaluation', 'flag-evaluation-flagd-core', 'flag-evaluation-growthbook', 'flag-evaluation-unleash'],
  async run(only) {
    const config = { flags: { [KEY]: rolloutFlag(AGENT, PCT) } };
    const contexts = UNITS.map((u) => ({ targetingKey: u }));

    const ours = createFlagEvaluator(config);
    const core = new FlagdCore();
    core.setConfigurations(JSON.stringify(config));

    // The two flagd implementations must agree unit by unit before either is timed.
    let mlShare = 0;
    for (const ctx of contexts) {
      const a = ours.resolveString(KEY, 'deterministic', ctx).value;
      const b = core.resolveStringEvaluation(KEY, 'deterministic', ctx).value;
      if (a !== b) throw new Error(`apprentice and flagd-core disagree for ${ctx.targetingKey}: ${a} vs ${b}`);
      if (a === 'ml') mlShare++;
    }

    // Peers are built first, then all are measured in interleaved rounds (median of the round
    // p50s), so a burst of load on the machine does not land on one implementation only.
    const want = (name: string) => !only || only === name || name === 'flag-evaluation';
    const runs: { name: string; note: string; fn: (i: number) => unknown; inner: number; iterations: number }[] = [
      {
        name: 'flag-evaluation',
        note: `rollout flag ${PCT}% fractional split, ml share ${(mlShare / UNITS.length).toFixed(3)}`,
        fn: (i) => ours.resolveString(KEY, 'deterministic', contexts[i & MASK]!),
        inner: 64,
        iterations: 10_000,
      },
    ];
    const cleanups: (() => void)[] = [];
    if (want('flag-evaluation-flagd-core')) {
      runs.push({
        name: 'flag-evaluation-flagd-core',
        note: '@openfeature/flagd-core FlagdCore, same definition',
        fn: (i) => core.resolveStringEvaluation(KEY, 'deterministic', contexts[i & MASK]!),
        inner: 16,
        iterations: 3_000,
      });
    }
    if (want('flag-evaluation-growthbook')) {
      const gb = new GrowthBookClient({}).initSync({
        payload: {
          features: {
            [KEY]: { defaultValue: 'deterministic', rules: [{ force: 'ml', coverage: PCT / 100, hashAttribute: 'id', seed: KEY, hashVersion: 2 }] },
          },
        },
      });
      const users = UNITS.map((id) => ({ attributes: { id } }));
      runs.push({
        name: 'flag-evaluation-growthbook',
        note: '@growthbook/growthbook GrowthBookClient.evalFeature, force+coverage rollout rule',
        fn: (i) => gb.evalFeature(KEY, users[i & MASK]!),
        inner: 16,
        iterations: 3_000,
      });
      cleanups.push(() => gb.destroy());
    }
    if (want('flag-evaluation-unleash')) {
      const toggle = {
        name: KEY,
        enabled: true,
        strategies: [{ name: 'flexibleRollout', parameters: { rollout: String(PCT), stickiness: 'default', groupId: KEY }, constraints: [] }],
      } as unknown as Toggle;
      const unleash = new Unleash({
        appName: 'apprentice-bench',
        url: 'http://127.0.0.1:9/api/',
        repository: new InMemoryRepository([toggle]),
        refreshInterval: 0,
        disableMetrics: true,
        disableAutoStart: true,
        skipInstanceCountWarning: true,
      });
      await unleash.start();
      const ctxs = UNITS.map((userId) => ({ userId }));
      runs.push({
        name: 'flag-evaluation-unleash',
        note: 'unleash-client isEnabled, flexibleRollout, in-memory repository',
        fn: (i) => unleash.isEnabled(KEY, ctxs[i & MASK]!),
        inner: 16,
        iterations: 3_000,
      });
      cleanups.push(() => unleash.destroy());
    }

    const rounds: LatencyStats[][] = runs.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      runs.forEach((r, k) => rounds[k]!.push(measureSync(r.fn, { iterations: r.iterations, warmup: 200, inner: r.inner })));
    }
    for (const c of cleanups) c();
    const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const p50s = rounds.map((rs) => median(rs.map((s) => s.p50)));
    const p99s = rounds.map((rs) => median(rs.map((s) => s.p99)));
    const oursP50 = p50s[0]!;
    const out: Figure[] = runs.map((r, k) =>
      k === 0
        ? fig({ name: r.name, value: oursP50, unit: 'µs', target: '<= 1', ok: oursP50 <= 1, note: `${r.note}; p99 ${p99s[0]!.toPrecision(3)} µs` })
        : peerFigure(r.name, p50s[k]!, p99s[k]!, oursP50, r.note),
    );
    return only ? out.filter((f) => f.name === only) : out;
  },
};

export default suite;
