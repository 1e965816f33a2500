import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DecisionData, NewEvent } from '../core/index.js';
import { createMemoryBus } from '../log/bus/memory-bus.js';
import { parseAgentDefinition } from './agents/agent-definition.js';
import { AsyncLearningWriter } from './async-learning-writer.js';
import { DecisionEngine, extractFeatures, type Decision, type DecisionEngineOptions, type ShadowJob } from './decision-engine.js';
import { hashContext } from './context-hash.js';
import type { Enrichment } from './features/feature-reader.js';
import type { ActionScorer, DecisionExplorer, DecisionGuard, DecisionModel, ExplorationRequest, GuardOutcome } from './model-seams.js';

// What the decision engine records and hands on besides its reason (decision-engine.reasons.test.ts):
// the features a model sees and training reads, view-backed values, the stored context, the
// shadow job, the metrics callback, and which answers of a model count as valid.

const classifier = parseAgentDefinition({
  name: 'code-reviewer',
  kind: 'classification',
  labels: ['approve', 'reject'],
  features: [
    { name: 'files', type: 'numeric' },
    { name: 'lang', type: 'categorical' },
    { name: 'draft', type: 'boolean' },
    { name: 'authorRate', type: 'numeric', from: { view: 'author-reliability', feature: 'approve_rate', entity: 'author' } },
  ],
});
const regressor = parseAgentDefinition({ name: 'estimator', kind: 'regression', features: [{ name: 'files', type: 'numeric' }] });
const ML = { variant: 'ml', propensity: 0.25 } as const;

const sync = (answer: unknown): DecisionModel => ({ version: { version: 3 }, predictSync: () => answer, predict: async () => answer });

function setup(options: Partial<DecisionEngineOptions> & { serving?: DecisionModel; def?: typeof classifier } = {}) {
  const recorded: NewEvent[] = [];
  const writer = new AsyncLearningWriter({ bus: createMemoryBus(), onRecord: (e) => recorded.push(e) });
  const { serving, def = classifier, ...rest } = options;
  const engine = new DecisionEngine({ writer, agents: () => def, router: () => ML, models: { serving: () => serving }, ...rest });
  const stored = (): DecisionData => recorded.at(-1)!.data as DecisionData;
  return { engine, stored, recorded };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('extractFeatures: the raw scalar values of the spec, never view-backed ones', () => {
  it('keeps numbers, strings and booleans of spec fields; drops objects, arrays, null, other keys and view-backed fields', () => {
    const context = { files: 3, lang: 'ts', draft: false, authorRate: 0.9, extra: 1 };
    expect(extractFeatures(classifier, context)).toEqual({ files: 3, lang: 'ts', draft: false });
    expect(extractFeatures(classifier, { files: { n: 3 }, lang: ['ts'], draft: null })).toEqual({});
    expect(extractFeatures(classifier, { files: 0, lang: '', draft: true })).toEqual({ files: 0, lang: '', draft: true });
  });

  it('a context that is no object gives no features', () => {
    for (const c of [null, undefined, 7, 'files', true]) expect(extractFeatures(classifier, c)).toEqual({});
  });
});

describe('what a decision records', () => {
  it('the stored event: features, context hash, value, deterministic answer, model version; the returned decision the same', () => {
    const { engine, stored } = setup({ serving: sync('approve') });
    const d = engine.decide('code-reviewer', 'pr-1', { files: 3, lang: 'ts', note: 'x' }, 'reject', 'subject-1');
    expect(d).toMatchObject({ agent: 'code-reviewer', unitId: 'pr-1', value: 'approve', source: 'ml', reason: 'MODEL', modelVersion: 3, variant: 'ml', propensity: 0.25 });
    expect(typeof d.decisionId).toBe('string');
    expect(stored()).toMatchObject({
      decisionId: d.decisionId,
      agent: 'code-reviewer',
      unitId: 'pr-1',
      value: 'approve',
      deterministic: 'reject',
      source: 'ml',
      reason: 'MODEL',
      modelVersion: 3,
      variant: 'ml',
      propensity: 0.25,
      features: { files: 3, lang: 'ts' },
      context: { files: 3, lang: 'ts', note: 'x' },
      subjectId: 'subject-1',
      contextHash: hashContext('code-reviewer', { files: 3, lang: 'ts', note: 'x' }),
    });
    expect('actionPropensity' in stored()).toBe(false);
    expect('actionPropensity' in d).toBe(false);
    expect(stored().featureViews).toBeUndefined();
  });

  it('a rules answer carries no model version, in the event or the decision', () => {
    const { engine, stored } = setup({ router: () => ({ variant: 'deterministic', propensity: 1 }), serving: sync('approve') });
    const d = engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject');
    expect('modelVersion' in d).toBe(false);
    expect('modelVersion' in stored()).toBe(false);
  });

  it('the model budget is measured from the start of the prediction, wherever the clock is', () => {
    vi.advanceTimersByTime(1_000_000);
    const { engine } = setup({ serving: sync('approve') });
    expect(engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject')).toMatchObject({ reason: 'MODEL', value: 'approve' });
  });

  it('decideAsync: a unit on the rules arm is never served by the model', async () => {
    const predict = vi.fn(async () => 'approve');
    const { engine } = setup({ router: () => ({ variant: 'deterministic', propensity: 0.5 }), serving: { version: { version: 3 }, predict } });
    expect(await engine.decideAsync('code-reviewer', 'pr-1', { files: 3 }, 'reject')).toMatchObject({ reason: 'RULES', value: 'reject', source: 'deterministic' });
    expect(predict).not.toHaveBeenCalled();
  });

  it('without a definition: no features, no model asked, NO_MODEL on the ml arm; no subject id recorded when none is given', () => {
    const predictSync = vi.fn(() => 'approve');
    const { engine, stored } = setup({ agents: () => undefined, serving: { version: { version: 3 }, predictSync, predict: async () => 'approve' } });
    expect(engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject')).toMatchObject({ reason: 'NO_MODEL', source: 'deterministic' });
    expect(predictSync).not.toHaveBeenCalled();
    expect(stored().features).toBeUndefined();
    expect('subjectId' in stored()).toBe(false);
    expect('modelVersion' in stored()).toBe(false);
  });

  it('protectContext decides what context is stored (with the agent and subject); the hash is of the raw context', () => {
    const seen: unknown[] = [];
    const { engine, stored } = setup({ protectContext: (agent, context, subject) => (seen.push([agent, context, subject]), { redacted: true }) });
    engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject', 's-9');
    expect(seen).toEqual([['code-reviewer', { files: 3 }, 's-9']]);
    expect(stored().context).toEqual({ redacted: true });
    expect(stored().contextHash).toBe(hashContext('code-reviewer', { files: 3 }));
  });

  it('latency: the time from the start of decide to the record, as returned and as stored', () => {
    const slow: DecisionModel = { version: { version: 3 }, predictSync: () => (vi.advanceTimersByTime(7), 'approve'), predict: async () => 'approve' };
    const { engine, stored } = setup({ serving: slow });
    vi.advanceTimersByTime(1000); // the clock is not at 0: latency is a difference, not a sum
    const d = engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject');
    expect(d.latencyMs).toBeCloseTo(7, 6);
    expect(stored().latencyMs).toBeCloseTo(7, 6);
  });

  it('onDecision gets every decision with its start time', () => {
    const calls: [Decision, number][] = [];
    const { engine } = setup({ onDecision: (d, t0) => void calls.push([d, t0]) });
    const t0 = performance.now();
    const d = engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject');
    expect(calls).toEqual([[d, t0]]);
  });
});

describe('valid model answers', () => {
  it('a regression model must answer a finite number', () => {
    for (const bad of [NaN, Infinity, '3', null]) {
      expect(setup({ def: regressor, serving: sync(bad) }).engine.decide('estimator', 'u', { files: 1 }, 5)).toMatchObject({ reason: 'MODEL_ERROR', value: 5 });
    }
    expect(setup({ def: regressor, serving: sync(4.5) }).engine.decide('estimator', 'u', { files: 1 }, 5)).toMatchObject({ reason: 'MODEL', value: 4.5 });
  });

  it('a classifier must answer one of its labels, as a string', async () => {
    expect(setup({ serving: sync('approve') }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject').reason).toBe('MODEL');
    expect(setup({ serving: sync(1) }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject').reason).toBe('MODEL_ERROR');
    const asyncOnly = (answer: unknown): DecisionModel => ({ version: { version: 3 }, predict: async () => answer });
    expect((await setup({ serving: asyncOnly('maybe') }).engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject')).reason).toBe('MODEL_ERROR');
    expect((await setup({ serving: asyncOnly('approve') }).engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject'))).toMatchObject({ reason: 'MODEL', value: 'approve', modelVersion: 3 });
  });

  it('a classifier defined in code without a label list accepts any string (parseAgentDefinition requires labels)', () => {
    const { labels: _labels, ...open } = classifier;
    const r = setup({ def: open, serving: sync('anything') }).engine.decide('code-reviewer', 'u', { files: 1 }, 'x');
    expect(r).toMatchObject({ reason: 'MODEL', value: 'anything' });
  });
});

describe('view-backed features', () => {
  const enrichment: Enrichment = { values: { authorRate: 0.8, files: null, draft: undefined } as unknown as Enrichment['values'], views: { 'author-reliability': { entity: 'ann', status: 'fresh', version: 2 } } };

  it('decide: the view values replace the context, a null view value drops the field, the views are logged; the model sees the result', () => {
    const seen: Record<string, unknown>[] = [];
    const model: DecisionModel = { version: { version: 3 }, predictSync: (f) => (seen.push({ ...f }), 'approve'), predict: async () => 'approve' };
    const enrichSync = vi.fn(() => enrichment);
    const { engine, stored } = setup({ serving: model, features: { enrichSync, enrich: async () => enrichment } });
    engine.decide('code-reviewer', 'pr-1', { files: 3, lang: 'go', draft: true, author: 'ann' }, 'reject');
    expect(enrichSync).toHaveBeenCalledWith(classifier, { files: 3, lang: 'go', draft: true, author: 'ann' });
    // A view that served nothing (null or undefined) drops the field: no key is left behind.
    expect(seen).toStrictEqual([{ lang: 'go', authorRate: 0.8 }]);
    expect(stored().features).toStrictEqual({ lang: 'go', authorRate: 0.8 });
    expect(stored().featureViews).toEqual(enrichment.views);
  });

  it('decideAsync reads the views asynchronously; no enrichment leaves the features as extracted', async () => {
    const enrich = vi.fn(async () => enrichment);
    const { engine, stored } = setup({ features: { enrichSync: () => undefined, enrich } });
    await engine.decideAsync('code-reviewer', 'pr-1', { files: 3, author: 'ann' }, 'reject');
    expect(enrich).toHaveBeenCalledTimes(1);
    expect(stored().features).toEqual({ authorRate: 0.8 });
    const plain = setup({ features: { enrichSync: () => undefined, enrich: async () => undefined } });
    plain.engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject');
    expect(plain.stored().features).toEqual({ files: 3 });
    expect(plain.stored().featureViews).toBeUndefined();
  });
});

describe('the shadow job: every decision the model did not answer, while ML is on', () => {
  const jobsOf = (options: Partial<DecisionEngineOptions> & { serving?: DecisionModel; def?: typeof classifier }, context: unknown = { files: 3 }) => {
    const jobs: ShadowJob[] = [];
    const { engine } = setup({ shadow: (j) => void jobs.push(j), ...options });
    const d = engine.decide('code-reviewer', 'pr-1', context, 'reject');
    return { jobs, d };
  };

  it('a rules answer is shadowed with its features and the served value', () => {
    const { jobs, d } = jobsOf({});
    expect(jobs).toEqual([{ decisionId: d.decisionId, agent: 'code-reviewer', unitId: 'pr-1', features: { files: 3 }, served: 'reject' }]);
  });

  it('a model answer, a definition with shadow: false, ML switched off and no definition are not shadowed', () => {
    expect(jobsOf({ serving: sync('approve') }).jobs).toEqual([]);
    expect(jobsOf({ def: { ...classifier, shadow: false } }).jobs).toEqual([]);
    expect(jobsOf({ mlEnabled: false }).jobs).toEqual([]);
    expect(jobsOf({ mlEnabled: () => false }).jobs).toEqual([]);
    expect(jobsOf({ agents: () => undefined }).jobs).toEqual([]);
    expect(jobsOf({ def: { ...classifier, shadow: true } }).jobs).toHaveLength(1);
  });

  it('a throwing shadow sink is not the caller\'s problem', () => {
    const { engine, stored } = setup({
      shadow: () => {
        throw new Error('queue full');
      },
    });
    expect(engine.decide('code-reviewer', 'pr-1', { files: 3 }, 'reject')).toMatchObject({ value: 'reject', reason: 'NO_MODEL' });
    expect(stored().value).toBe('reject');
  });
});

describe('what the guard in front of a model is given', () => {
  /** A guard that runs the prediction and keeps the budget it was given and the error it saw. */
  function recordingGuard() {
    const seen = { budgets: [] as (number | undefined)[], errors: [] as string[] };
    const guard: DecisionGuard = {
      async execute<T>(fn: (c: { readonly signal: AbortSignal }) => T | PromiseLike<T>, options?: { readonly budgetMs?: number }): Promise<GuardOutcome<T>> {
        seen.budgets.push(options?.budgetMs);
        try {
          return { ok: true, value: await fn({ signal: new AbortController().signal }) };
        } catch (e) {
          seen.errors.push((e as Error).message);
          return { ok: false, reason: 'MODEL_ERROR' };
        }
      },
    };
    return { guard, seen };
  }

  it("the agent's time budget (20 ms by default), on both paths", async () => {
    const { guard, seen } = recordingGuard();
    const asyncOnly: DecisionModel = { version: { version: 3 }, predict: async () => 'approve' };
    setup({ serving: sync('approve'), guard: () => guard }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject');
    await setup({ serving: asyncOnly, guard: () => guard }).engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject');
    await setup({ serving: asyncOnly, guard: () => guard, def: { ...classifier, timeBudgetMs: 150 } }).engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject');
    expect(seen.budgets).toEqual([20, 20, 150]);
  });

  it('an invalid answer is an error that names the answer (cut to 80 characters) and the agent', async () => {
    const { guard, seen } = recordingGuard();
    setup({ serving: sync('maybe'), guard: () => guard }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject');
    setup({ serving: sync(undefined), guard: () => guard }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject');
    const long = 'x'.repeat(200);
    setup({ serving: sync(long), guard: () => guard }).engine.decide('code-reviewer', 'u', { files: 1 }, 'reject');
    await setup({ serving: { version: { version: 3 }, predict: async () => long }, guard: () => guard }).engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject');
    await setup({ serving: { version: { version: 3 }, predict: async () => undefined }, guard: () => guard }).engine.decideAsync('code-reviewer', 'u', { files: 1 }, 'reject');
    expect(seen.errors).toEqual([
      'model answered "maybe", not a valid answer for code-reviewer',
      'model answered undefined, not a valid answer for code-reviewer',
      `model answered ${JSON.stringify(long).slice(0, 80)}, not a valid answer for code-reviewer`,
      `model answered ${JSON.stringify(long).slice(0, 80)}, not a valid answer for code-reviewer`,
      'model answered undefined, not a valid answer for code-reviewer',
    ]);
  });
});

describe("exploration sees the serving model's action scores", () => {
  const reward = parseAgentDefinition({
    name: 'deployer',
    kind: 'classification',
    labels: ['standard', 'canary'],
    feedback: 'reward',
    features: [{ name: 'lines', type: 'numeric' }],
    exploration: { strategy: 'epsilon-greedy' },
  });
  const scorer: DecisionModel & ActionScorer = {
    version: { version: 4 },
    predictSync: () => 'canary',
    predict: async () => 'canary',
    actionScores: () => ({ scores: [0.2, 0.7], bonuses: [0.1, 0.05] }),
  };
  const run = (route: 'ml' | 'deterministic', model: DecisionModel = scorer) => {
    const requests: ExplorationRequest[] = [];
    const explorer: DecisionExplorer = { choose: (r) => (requests.push(r), { action: r.greedy, propensity: 0.9, explored: false }) };
    const { engine } = setup({ def: reward, serving: model, explorer, router: () => ({ variant: route, propensity: 0.5 }) });
    const d = engine.decide('deployer', 'u', { lines: 3 }, 'standard');
    return { d, request: requests[0]! };
  };

  it('a model answer: its scores and bonuses go to the explorer, around its own answer', () => {
    const { d, request } = run('ml');
    expect(d).toMatchObject({ value: 'canary', source: 'ml', actionPropensity: 0.9 });
    expect(request).toMatchObject({ agent: 'deployer', greedy: 'canary', actions: ['standard', 'canary'], scores: [0.2, 0.7], bonuses: [0.1, 0.05] });
  });

  it('a model without bonuses: scores only', () => {
    const scoresOnly: DecisionModel & ActionScorer = { ...scorer, actionScores: () => ({ scores: [0.2, 0.7] }) };
    const { request } = run('ml', scoresOnly);
    expect(request.scores).toEqual([0.2, 0.7]);
    expect('bonuses' in request).toBe(false);
  });

  it('a rules answer: no scores, even with a scoring model loaded', () => {
    const { d, request } = run('deterministic');
    expect(d).toMatchObject({ value: 'standard', source: 'deterministic' });
    expect('scores' in request).toBe(false);
    expect('bonuses' in request).toBe(false);
  });
});
