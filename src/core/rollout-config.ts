import { z } from 'zod';

/**
 * A rollout policy as configuration gives it (the config's `rollout` object and an agent
 * definition's `rollout`): every field optional, each layer merged over the one below
 * (agent definition over config over the built-in defaults; see the experiments wing's
 * `resolveRolloutPolicy`). Defaults are stated on the resolved type, `RolloutPolicy`.
 */
export const RolloutPolicyInputSchema = z
  .object({
    /** Traffic steps (% of units served by the model), increasing, ending at 100. Default `[5, 25, 50, 100]`. */
    steps: z.array(z.number().int('must be a whole percentage').gt(0, 'must be greater than 0').max(100, 'must be at most 100')).min(1).max(20).optional(),
    /** Steps an operator must approve before the controller advances into them, e.g. `[50, 100]`. Default none. */
    gates: z.array(z.number()).max(20).optional(),
    /** Shadow outcomes needed before the first step. Default 200. */
    minShadowOutcomes: z.number().int().min(0).optional(),
    /** Outcomes per arm before a step may advance. Default 100. */
    minSamplePerArm: z.number().int().min(1).optional(),
    /** Time a step must run before it may advance, ms. Default 600,000 (10 minutes). */
    minStepDurationMs: z.number().int().min(0).optional(),
    /** Significance level of each step's sequential test. Default 0.05. */
    alpha: z.number().gt(0, 'must be greater than 0').lt(0.5, 'must be less than 0.5').optional(),
    /** Smallest improvement worth detecting (absolute score; the mSPRT τ). Default 0.05 (MAE: 10% of the rules' MAE). */
    mde: z.number().gt(0, 'must be greater than 0').optional(),
    /** Non-inferiority margin (absolute score). Default 0.02 (MAE: 5% of the rules' MAE). */
    margin: z.number().min(0).optional(),
    /** Rule of each step below 100%, in step order. Default superiority, then non-inferiority. */
    stepRules: z.array(z.enum(['superiority', 'non-inferiority'], { error: 'must be superiority or non-inferiority' })).min(1).max(20).optional(),
    /** Guardrails of the model arm; a breach rolls back. */
    guardrails: z
      .object({
        /** Highest acceptable p95 latency, ms. Default 100. */
        maxP95LatencyMs: z.number().gt(0, 'must be greater than 0').optional(),
        /** Highest acceptable share of model-arm decisions served by the rules instead. Default 0.05. */
        maxFallbackRate: z.number().min(0).max(1).optional(),
      })
      .strict()
      .optional(),
    /** How often the controller evaluates this rollout, ms. Default 30,000. */
    evaluationIntervalMs: z.number().int().min(100).max(86_400_000).optional(),
    /** Level of the one-sided loss test that rolls back at any time. Default 0.05. */
    lossAlpha: z.number().gt(0, 'must be greater than 0').lt(0.5, 'must be less than 0.5').optional(),
    /** Time bucket of the sequential analysis (one look per bucket), ms. Default 10,000. */
    bucketMs: z.number().int().min(1000, 'must be at least 1000').max(3_600_000).optional(),
    /**
     * Recent window judged beside the cumulative evidence, ms: the loss test rolls back as soon as
     * the model is significantly worse over this window, at any step. Default 60,000.
     */
    lossWindowMs: z.number().int().min(1000, 'must be at least 1000').max(86_400_000).optional(),
    /** CUSUM threshold (log-likelihood ratio) for a change of the effect; lower reacts sooner, with more false alarms. Default 10. */
    changeThreshold: z.number().gt(0, 'must be greater than 0').max(1000).optional(),
    /** What concept drift of the served model does to its rollout: `rollback` to the rules, or `hold`. Default rollback. */
    conceptDrift: z.enum(['hold', 'rollback'], { error: 'must be hold or rollback' }).optional(),
    /** Label delay: how far back the agent's log is read to estimate outcome delays, ms. Default 604,800,000 (7 days). */
    delayHistoryMs: z.number().int().min(60_000, 'must be at least 60000').optional(),
    /** Off-policy evaluation gate at shadow → first step (reward agents that explore; docs/bandits.md). */
    ope: z
      .object({
        /** The candidate's doubly-robust lower bound must beat the served policy's value by this much (reward units). Default 0. */
        margin: z.number().min(0).optional(),
        /** Least effective sample size of the importance weights. Default 100. */
        minEffectiveSampleSize: z.number().int().min(1).optional(),
        /** 1 − confidence of the DR interval whose lower end is the bound. Default 0.05. */
        alpha: z.number().gt(0, 'must be greater than 0').lt(0.5, 'must be less than 0.5').optional(),
      })
      .strict()
      .optional(),
    /**
     * Label delay: a step is judged only once every arm has at least this share of its expected
     * outcomes in (outcome delays estimated per served action from the agent's own log). 0 = never
     * wait. Default 0.9.
     */
    minOutcomeCompleteness: z.number().min(0).max(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const bad = (path: (string | number)[], message: string): void => void ctx.addIssue({ code: 'custom', path, message });
    if (p.steps) {
      p.steps.forEach((s, i) => {
        const prev = p.steps![i - 1];
        if (i > 0 && prev !== undefined && !(s > prev)) bad(['steps', i], `must be greater than ${prev}`);
      });
      if (p.steps.at(-1) !== 100) bad(['steps', p.steps.length - 1], 'the last step must be 100');
    }
    if (p.bucketMs !== undefined && p.lossWindowMs !== undefined && p.lossWindowMs < p.bucketMs)
      bad(['lossWindowMs'], `must be at least bucketMs (${p.bucketMs})`);
    const steps = p.steps ?? [5, 25, 50, 100];
    p.gates?.forEach((g, i) => {
      if (!steps.includes(g)) bad(['gates', i], `${g} is not one of the steps (${steps.join(', ')})`);
    });
  });

export type RolloutPolicyInput = z.infer<typeof RolloutPolicyInputSchema>;

/** What an outbound webhook can be sent about. */
export const WEBHOOK_EVENTS = ['rollout.step_changed', 'breaker.state_changed', 'drift.hold'] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** One outbound webhook target (config `webhooks`). */
export const WebhookTargetSchema = z
  .object({
    /** Receiver; gets a JSON POST per event. */
    url: z.string().refine((v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'must be an http(s) URL'),
    /** Shared secret of the HMAC-SHA256 signature (`X-Apprentice-Signature`). */
    secret: z.string().min(16, 'must be at least 16 characters'),
    /** Events to send. Default all of `WEBHOOK_EVENTS`. */
    events: z.array(z.enum(WEBHOOK_EVENTS, { error: `must be one of ${WEBHOOK_EVENTS.join(', ')}` })).min(1).optional(),
  })
  .strict();
export type WebhookTarget = z.infer<typeof WebhookTargetSchema>;

/** A zod issue path for people: `rollout.steps[2]`, `webhooks[0].url`. */
export const issuePath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, k) => (typeof k === 'number' ? `${out}[${k}]` : out ? `${out}.${String(k)}` : String(k)), '');
