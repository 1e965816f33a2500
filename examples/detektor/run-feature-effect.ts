import type { ClassificationScores } from '../../src/learning/evaluation/index.js';
import { applyInput, emptyState, readFeatures, type EntityState } from '../../src/decisions/features/aggregation.js';
import { parseFeatureView } from '../../src/decisions/features/feature-view.js';
import type { FeatureSpec } from '../../src/decisions/feature-spec.js';
import type { DetektorAgent } from './agent-definition.js';
import { codeReviewer, type ReviewVerdict } from './code-reviewer.js';
import { AgentLab } from './internal/agent-lab.js';
import { Rng, sigmoid } from './internal/rng.js';
import { defaultLearnerFactory } from './learner-factory.js';

/**
 * The author-reliability world (issue 13): pull requests whose first review depends mostly on
 * a hidden, stable reliability of their author. The context names the author but says nothing
 * of the reliability; only the author's history of review outcomes does. Authors come and go
 * (hundreds of them, each active for a while), so a categorical `author` feature cannot learn
 * them one by one, while a feature view (the author's approval rate over 30 days and their
 * last 10 reviews) carries the signal to every author with some history.
 */
export const AUTHOR_RELIABILITY_VIEW = parseFeatureView({
  name: 'author-reliability',
  description: "an author's review history: approval rate over 30 days and over the last 10 reviews, review count",
  entity: 'author',
  entityPath: 'context.author',
  source: { events: 'outcomes', agent: 'code-reviewer' },
  features: [
    { name: 'approve_rate_30d', aggregation: 'mean', field: 'label', equals: 'approve', window: '30d' },
    { name: 'approve_rate_last_10', aggregation: 'mean', field: 'label', equals: 'approve', window: { last: 10 } },
    { name: 'reviews_30d', aggregation: 'count', window: '30d' },
  ],
});

/** The context the model without the view sees (the author as a hashed category). */
const BASE_SPEC: FeatureSpec = [
  { name: 'linesAdded', type: 'numeric', default: 0 },
  { name: 'testFilesChanged', type: 'numeric', default: 0 },
  { name: 'hasDescription', type: 'boolean', default: true },
  { name: 'author', type: 'categorical', buckets: 64 },
];

/** The same model, plus the view's features (as an agent's spec names them). */
const VIEW_SPEC: FeatureSpec = [
  ...BASE_SPEC,
  { name: 'authorApproveRate30d', type: 'numeric', from: { view: 'author-reliability', feature: 'approve_rate_30d', entity: 'author' } },
  { name: 'authorApproveRateLast10', type: 'numeric', from: { view: 'author-reliability', feature: 'approve_rate_last_10', entity: 'author' } },
  { name: 'authorReviews30d', type: 'numeric', from: { view: 'author-reliability', feature: 'reviews_30d', entity: 'author' } },
];

const reviewerWith = (features: FeatureSpec): DetektorAgent => ({ ...codeReviewer, definition: { ...codeReviewer.definition, features } }) as DetektorAgent;

export interface FeatureEffectOptions {
  /** Default 1. */
  readonly seed?: number;
  /** Pull requests. Default 20,000 (one every 3 simulated minutes: about 42 days). */
  readonly decisions?: number;
  /** Rolling window of the scores, in outcomes. Default 2000. */
  readonly window?: number;
  /** Spread (standard deviation, in logits) of the authors' hidden reliability. Default 1.6; 0 removes the signal. */
  readonly reliabilitySpread?: number;
}

export interface FeatureEffectReport {
  readonly seed: number;
  readonly decisions: number;
  readonly authors: number;
  readonly withView: ClassificationScores;
  readonly withoutView: ClassificationScores;
  /** Relative macro-F1 gain of the model with the view over the same model without it, over the window, in %. */
  readonly improvement: number;
  /** Share of decisions whose author had no history in the view yet. */
  readonly coldStart: number;
}

const MINUTE = 60_000;

/** The fixed scenario behind the `feature-view-learning-effect` bench figure and its unit test. */
export const FEATURE_EFFECT_SCENARIO = { seed: 1, decisions: 20_000 } as const satisfies FeatureEffectOptions;

/**
 * Progressive validation of two identical online logistic regressions on the author-reliability
 * world, one with the view's features: each decision reads the view as of its time (outcomes
 * that arrived before it, never later), both models predict, and when the delayed outcome
 * arrives both learn from the features they were served and the view takes the outcome in.
 * Pure and deterministic: equal options give equal reports.
 * @example runFeatureEffect({ seed: 1 }).improvement // e.g. 15 (% higher macro F1 with the view)
 */
export function runFeatureEffect(options: FeatureEffectOptions = {}): FeatureEffectReport {
  const seed = options.seed ?? 1;
  const decisions = options.decisions ?? 20_000;
  const window = options.window ?? 2000;
  const spread = options.reliabilitySpread ?? 1.6;
  const rng = new Rng(seed);
  const without = new AgentLab(reviewerWith(BASE_SPEC), defaultLearnerFactory, window, 20);
  const withView = new AgentLab(reviewerWith(VIEW_SPEC), defaultLearnerFactory, window, 20);
  const view = AUTHOR_RELIABILITY_VIEW;
  const states = new Map<string, EntityState>();
  const reliability: number[] = [];
  const active: number[] = [];
  const due = new Map<number, { author: string; label: ReviewVerdict; a: Record<string, unknown>; b: Record<string, unknown>; answers: [string | number, string | number]; time: number }[]>();
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  let cold = 0;

  const newAuthor = (): number => {
    reliability.push(rng.normal() * spread);
    return reliability.length - 1;
  };
  for (let i = 0; i < 60; i++) active.push(newAuthor());

  for (let i = 0; i <= decisions; i++) {
    const now = t0 + i * 3 * MINUTE;
    for (const o of due.get(i) ?? []) {
      const [ma, mb] = o.answers;
      (without.evaluators.model as { update(p: string, t: string): void }).update(String(ma), o.label);
      (withView.evaluators.model as { update(p: string, t: string): void }).update(String(mb), o.label);
      without.learn(o.a, o.label);
      withView.learn(o.b, o.label);
      let s = states.get(o.author);
      if (!s) states.set(o.author, (s = emptyState()));
      applyInput(view, s, { entity: o.author, time: o.time, seq: i, data: { label: o.label } });
    }
    due.delete(i);
    if (i === decisions) break;
    // Churn: now and then an author leaves and a new one arrives.
    if (rng.chance(0.02)) active[rng.int(0, active.length - 1)] = newAuthor();
    const who = active[rng.int(0, active.length - 1)]!;
    const author = `author-${who}`;
    const linesAdded = rng.logNormalInt(4.2, 1.1, 1);
    const testFilesChanged = rng.chance(0.6) ? rng.int(1, 4) : 0;
    const hasDescription = rng.chance(0.75);
    const z = 0.3 + 1.0 * reliability[who]! - 0.002 * Math.min(linesAdded, 800) + (testFilesChanged > 0 ? 0.5 : -0.3) + (hasDescription ? 0.3 : -0.3);
    const label: ReviewVerdict = rng.next() < sigmoid(z) ? 'approve' : 'request-changes';
    const a: Record<string, unknown> = { linesAdded, testFilesChanged, hasDescription, author };
    // The decision reads the view as of now: only outcomes that arrived before it.
    const served = readFeatures(view, states.get(author), now);
    if (served['reviews_30d'] === 0) cold++;
    const b: Record<string, unknown> = { ...a };
    for (const f of VIEW_SPEC) if (f.from && typeof served[f.from.feature] === 'number') b[f.name] = served[f.from.feature];
    const rules = codeReviewer.rules(a as never);
    const answers: [string | number, string | number] = [without.answer(a, rules).model, withView.answer(b, rules).model];
    const at = i + 1 + rng.int(3, 30);
    let list = due.get(at);
    if (!list) due.set(at, (list = []));
    list.push({ author, label, a, b, answers, time: now + (at - i) * 3 * MINUTE - MINUTE });
  }
  const w = (without.evaluators.model.snapshot() as { window: ClassificationScores }).window;
  const v = (withView.evaluators.model.snapshot() as { window: ClassificationScores }).window;
  return {
    seed,
    decisions,
    authors: reliability.length,
    withView: v,
    withoutView: w,
    improvement: (((v.macroF1 ?? 0) - (w.macroF1 ?? 0)) / (w.macroF1 ?? 1)) * 100,
    coldStart: cold / decisions,
  };
}
