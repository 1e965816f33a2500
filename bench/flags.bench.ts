import { EventEmitter } from 'node:events';
import { GrowthBookClient } from '@growthbook/growthbook';
import { FlagdCore } from '@openfeature/flagd-core';
import { Unleash, UnleashEvents } from 'unleash-client';
import type { ClientFeaturesResponse } from 'unleash-client';
import { createFlagEvaluator, rolloutFlag, rolloutFlagKey } from '../src/flags/index.js';
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

function peerFigure(name: string, stats: LatencyStats, ours: number, note: string): Figure {
  return fig({
    name,
    value: stats.p50,
    unit: 'µs',
    target: `>= ours (${ours.toPrecision(3)} µs)`,
    ok: stats.p50 >= ours,
    baseline: ours,
    ratio: stats.p50 / ours,
    note: `${note}; ratio = peer/ours; p99 ${stats.p99.toPrecision(3)} µs`,
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

    const oursStats = measureSync((i) => ours.resolveString(KEY, 'deterministic', contexts[i & MASK]!), { iterations: 20_000, warmup: 200, inner: 64 });
    const out: Figure[] = [
      fig({
        name: 'flag-evaluation',
        value: oursStats.p50,
        unit: 'µs',
        target: '<= 1',
        ok: oursStats.p50 <= 1,
        note: `rollout flag ${PCT}% fractional split, p99 ${oursStats.p99.toPrecision(3)} µs, ml share ${(mlShare / UNITS.length).toFixed(3)}`,
      }),
    ];
    const want = (name: string) => !only || only === name;

    if (want('flag-evaluation-flagd-core')) {
      const s = measureSync((i) => core.resolveStringEvaluation(KEY, 'deterministic', contexts[i & MASK]!), { iterations: 5_000, warmup: 100, inner: 16 });
      out.push(peerFigure('flag-evaluation-flagd-core', s, oursStats.p50, '@openfeature/flagd-core FlagdCore, same definition'));
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
      const s = measureSync((i) => gb.evalFeature(KEY, users[i & MASK]!), { iterations: 5_000, warmup: 100, inner: 16 });
      out.push(peerFigure('flag-evaluation-growthbook', s, oursStats.p50, '@growthbook/growthbook GrowthBookClient.evalFeature, force+coverage rollout rule'));
      gb.destroy();
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
      const s = measureSync((i) => unleash.isEnabled(KEY, ctxs[i & MASK]!), { iterations: 5_000, warmup: 100, inner: 16 });
      out.push(peerFigure('flag-evaluation-unleash', s, oursStats.p50, 'unleash-client isEnabled, flexibleRollout, in-memory repository'));
      unleash.destroy();
    }

    return only ? out.filter((f) => f.name === only) : out;
  },
};

export default suite;
