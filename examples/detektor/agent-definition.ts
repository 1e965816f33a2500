import type { FeatureSpec } from '../../src/learning/learners/index.js';

export const AgentKind = { CLASSIFICATION: 'classification', REGRESSION: 'regression' } as const;
export type AgentKind = (typeof AgentKind)[keyof typeof AgentKind];

/** `label`: the correct answer arrives later; `reward`: only how well the served action went. */
export const FeedbackKind = { LABEL: 'label', REWARD: 'reward' } as const;
export type FeedbackKind = (typeof FeedbackKind)[keyof typeof FeedbackKind];

/** The eight development agents of the Detektor computer-vision project. */
export const DETEKTOR_AGENT_NAMES = [
  'code-reviewer',
  'deployment-specialist',
  'detektor-coder',
  'architecture-advisor',
  'debugger',
  'documentation-keeper',
  'pisarz',
  'pr-manager',
] as const;
export type DetektorAgentName = (typeof DETEKTOR_AGENT_NAMES)[number];

/**
 * What apprentice needs to know about an agent (DESIGN.md §1, issue 3 item 1): its kind,
 * label set (for reward agents: the actions it may serve), feedback and feature spec.
 */
export interface AgentDefinition {
  readonly name: string;
  readonly description: string;
  readonly kind: AgentKind;
  /** Classification: the label set (reward agents: the action set). Absent for regression. */
  readonly labels?: readonly string[];
  readonly feedback: FeedbackKind;
  /** How features are extracted from the context (src/learning feature spec). */
  readonly features: FeatureSpec;
}

/**
 * An agent's hand-written rules: a pure, total function of the context. It never throws:
 * missing or mistyped fields take documented defaults, and a non-object context is read as `{}`.
 */
export type DeterministicPolicy<T extends string | number = string | number> = (context: unknown) => T;

/** A definition with its rules. */
export interface DetektorAgent<T extends string | number = string | number> {
  readonly definition: AgentDefinition & { readonly name: DetektorAgentName };
  readonly rules: DeterministicPolicy<T>;
}
