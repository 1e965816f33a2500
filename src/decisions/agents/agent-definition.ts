import { z } from 'zod';
import { type RolloutPolicyInput, RolloutPolicyInputSchema, ValidationError } from '../../core/index.js';
import { AGENT_NAME_RE } from '../validate.js';
import { resolveFeatureSpec, type FeatureSpec } from '../feature-spec.js';
import { type ExplorationSpec, ExplorationSpecSchema } from './exploration-spec.js';

/** Which built-in learner trains an agent's model. */
export const LearnerChoice = {
  LOGISTIC: 'logistic-regression',
  LINEAR: 'linear-regression',
  HOEFFDING: 'hoeffding-tree',
  BAGGING: 'oza-bagging',
} as const;
export type LearnerChoice = (typeof LearnerChoice)[keyof typeof LearnerChoice];

/**
 * An agent as apprentice knows it (DESIGN.md §1): what it decides (a label among `labels`,
 * or a number), how feedback arrives (`label`: the right answer later; `reward`: only how
 * well the served action went), and which features of its context a model may use.
 */
export interface AgentDefinition {
  readonly name: string;
  /** What the agent decides, for people. */
  readonly description?: string | undefined;
  readonly kind: 'classification' | 'regression';
  /** Classification: the possible answers (actions, for reward feedback). */
  readonly labels?: readonly string[];
  readonly feedback: 'label' | 'reward';
  readonly features: FeatureSpec;
  /** Context fields holding personal data (redacted/encrypted before storage by src/privacy). */
  readonly personalFields?: readonly string[];
  /** Learner and hyperparameters. Default: logistic regression (classification, reward) or linear regression. */
  readonly learner?: { readonly type: LearnerChoice; readonly params?: Readonly<Record<string, unknown>> };
  /** Time budget of one model prediction on the decision path (ms). Default 20. */
  readonly timeBudgetMs?: number;
  /** Run the model in shadow beside the rules. Default true. */
  readonly shadow?: boolean;
  /** Reward agents: how the served action explores (docs/bandits.md). Default none: no exploration. */
  readonly exploration?: ExplorationSpec;
  /** This agent's rollout policy, merged over the config's `rollout` (README "Rollout policy"). Default: the config's. */
  readonly rollout?: RolloutPolicyInput;
}

/** A stored definition: the definition plus its version (1, 2, ...) and when it was set. */
export interface VersionedAgent extends AgentDefinition {
  readonly version: number;
  readonly updatedAt: string;
}

export const DEFAULT_TIME_BUDGET_MS = 20;

const fieldSchema = z.object({}).passthrough();

export const AgentDefinitionSchema = z
  .object({
    name: z.string().regex(AGENT_NAME_RE, 'must match ^[a-z0-9][a-z0-9-]{0,62}$'),
    description: z.string().max(2000).optional(),
    kind: z.enum(['classification', 'regression']),
    labels: z.array(z.string().min(1).max(256)).min(2).max(1000).optional(),
    feedback: z.enum(['label', 'reward']).default('label'),
    features: z.array(fieldSchema).min(1).max(10_000),
    personalFields: z.array(z.string().min(1)).optional(),
    learner: z
      .object({
        type: z.enum(['logistic-regression', 'linear-regression', 'hoeffding-tree', 'oza-bagging']),
        params: z.record(z.string(), z.unknown()).optional(),
      })
      .strict()
      .optional(),
    timeBudgetMs: z.number().positive().max(60_000).optional(),
    shadow: z.boolean().optional(),
    exploration: ExplorationSpecSchema.optional(),
    rollout: RolloutPolicyInputSchema.optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const bad = (path: (string | number)[], message: string): void => void ctx.addIssue({ code: 'custom', path, message });
    if (d.kind === 'classification' && d.labels === undefined) bad(['labels'], 'a classification agent needs its label set');
    if (d.labels !== undefined && new Set(d.labels).size !== d.labels.length) bad(['labels'], 'labels must be distinct');
    if (d.kind === 'regression' && d.feedback === 'reward') bad(['feedback'], "reward feedback needs a classification agent (its labels are the actions)");
    // Feature values are stored with every decision, in clear, for training and off-policy
    // evaluation: a personal field must not be one.
    const personal = new Set((d.personalFields ?? []).map((f) => f.split('.')[0]));
    d.features.forEach((f, i) => {
      const name = (f as { name?: unknown }).name;
      if (typeof name === 'string' && personal.has(name))
        bad(['features', i, 'name'], `"${name}" is marked personal: it cannot be a feature (features are stored in clear with each decision)`);
    });
    if (d.exploration !== undefined) {
      if (d.feedback !== 'reward') bad(['exploration'], 'only reward agents explore (label agents learn the right answer without it)');
      (d.exploration.forbidden ?? []).forEach((a, i) => {
        if (!(d.labels ?? []).includes(a)) bad(['exploration', 'forbidden', i], `"${a}" is not one of the agent's labels`);
      });
    }
    const t = d.learner?.type;
    if (t !== undefined) {
      const regression = d.kind === 'regression' || d.feedback === 'reward';
      if (regression && t !== 'linear-regression') bad(['learner', 'type'], 'regression and reward agents learn with linear-regression');
      if (!regression && t === 'linear-regression') bad(['learner', 'type'], 'linear-regression cannot classify');
    }
  });

/**
 * Validate an agent definition (zod, then the feature spec) and fill in defaults.
 * Throws a `ValidationError` naming every offending field.
 * @example
 * const def = parseAgentDefinition({
 *   name: 'deployment-specialist', kind: 'classification', labels: ['standard', 'canary', 'stage-first'],
 *   feedback: 'reward', features: [{ name: 'linesChanged', type: 'numeric' }, { name: 'friday', type: 'boolean' }],
 * });
 */
export function parseAgentDefinition(input: unknown, where = 'agent definition'): AgentDefinition {
  const r = AgentDefinitionSchema.safeParse(input);
  if (!r.success) {
    throw new ValidationError(
      `invalid ${where}`,
      r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  try {
    resolveFeatureSpec(r.data.features);
  } catch (e) {
    const issues = e instanceof ValidationError ? e.issues.map((i) => ({ path: `features.${i.path}`, message: i.message })) : [];
    throw new ValidationError(`invalid ${where}: bad feature spec`, issues, { cause: e });
  }
  const d = r.data;
  return stripUndefined({
    name: d.name,
    kind: d.kind,
    labels: d.labels,
    feedback: d.feedback,
    features: d.features as unknown as FeatureSpec,
    personalFields: d.personalFields,
    learner: d.learner === undefined ? undefined : stripUndefined({ type: d.learner.type, params: d.learner.params }),
    timeBudgetMs: d.timeBudgetMs,
    shadow: d.shadow,
    exploration: d.exploration === undefined ? undefined : (stripUndefined({ ...d.exploration }) as ExplorationSpec),
    rollout: d.rollout,
  }) as AgentDefinition;
}

/** The task a model of this agent learns: reward agents learn a regression per action. */
export const modelTask = (d: AgentDefinition): 'classification' | 'regression' =>
  d.kind === 'regression' || d.feedback === 'reward' ? 'regression' : 'classification';

function stripUndefined<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
