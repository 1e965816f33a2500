import { agentsProjection } from '../decisions/index.js';
import type { Projection } from '../log/index.js';
import { decisionsProjection } from '../log/index.js';
import { flagsProjection } from '../experiments/index.js';
import { rolloutsProjection } from '../experiments/index.js';
import { registryProjection } from '../learning/index.js';

/**
 * Every projection of the service: applied on append, rebuilt by `apprentice replay`. (`shadow_results`
 * is a view over the ShadowPredicted events since migration 066: nothing to apply.)
 */
export const defaultProjections: readonly Projection[] = [
  decisionsProjection,
  agentsProjection,
  registryProjection,
  flagsProjection,
  rolloutsProjection,
];
