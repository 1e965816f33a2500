import { agentsProjection } from '../decisions/agents/agents-projection.js';
import type { Projection } from '../log/events/projection.js';
import { decisionsProjection } from '../log/events/projections/decisions.js';
import { flagsProjection } from '../experiments/flags/store/flags-projection.js';
import { rolloutsProjection } from '../experiments/rollout/rollouts-projection.js';
import { registryProjection } from '../learning/registry/registry-projection.js';
import { shadowResultsProjection } from '../learning/shadow/shadow-projection.js';

/** Every projection of the service: applied on append, rebuilt by `apprentice replay`. */
export const defaultProjections: readonly Projection[] = [
  decisionsProjection,
  agentsProjection,
  registryProjection,
  shadowResultsProjection,
  flagsProjection,
  rolloutsProjection,
];
