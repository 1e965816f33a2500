import {
  createLinearRegression,
  createLogisticRegression,
  type ClassifierLearner,
  type RegressorLearner,
} from '../../src/learning/learners/index.js';
import type { AgentDefinition } from './agent-definition.js';

/** What a learner is wanted for. Reward agents get one regressor per action (`action` set). */
export type LearnerRequest =
  | { readonly agent: AgentDefinition; readonly task: 'classification'; readonly featureCount: number; readonly classes: readonly string[] }
  | { readonly agent: AgentDefinition; readonly task: 'regression'; readonly featureCount: number; readonly action?: string };

/** Builds a fresh src/learning learner for an agent; must return a classifier for `classification`. */
export type LearnerFactory = (request: LearnerRequest) => ClassifierLearner | RegressorLearner;

/**
 * Online logistic regression for label sets; online linear regression with the Huber loss
 * (robust to the long right tail of durations) for values and per-action rewards.
 * @example const lr = defaultLearnerFactory({ agent: codeReviewer.definition, task: 'classification', featureCount: 40, classes: ['approve', 'request-changes'] });
 */
export const defaultLearnerFactory: LearnerFactory = (request) =>
  request.task === 'classification'
    ? createLogisticRegression({ featureCount: request.featureCount, classes: request.classes })
    : createLinearRegression({ featureCount: request.featureCount, loss: 'huber' });
