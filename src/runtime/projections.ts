import { agentsProjection } from '../agents-registry/agents-projection.js';
import type { Projection } from '../events/projection.js';
import { decisionsProjection } from '../events/projections/decisions.js';
import { flagsProjection } from '../flags/store/flags-projection.js';
import { rolloutsProjection } from '../rollout/rollouts-projection.js';
import { registryProjection } from '../registry/registry-projection.js';
import { shadowResultsProjection } from '../shadow/shadow-projection.js';

/** Every projection of the service: applied on append, rebuilt by `apprentice replay`. */
export const defaultProjections: readonly Projection[] = [
  decisionsProjection,
  agentsProjection,
  registryProjection,
  shadowResultsProjection,
  flagsProjection,
  rolloutsProjection,
];
