import { agentsProjection } from '../decisions/index.js';
import type { Projection } from '../log/index.js';
import { decisionsProjection } from '../log/index.js';
import { flagsProjection } from '../experiments/index.js';
import { rolloutsProjection } from '../experiments/index.js';
import { registryProjection } from '../learning/index.js';
import { shadowResultsProjection } from '../learning/index.js';

/** Every projection of the service: applied on append, rebuilt by `apprentice replay`. */
export const defaultProjections: readonly Projection[] = [
  decisionsProjection,
  agentsProjection,
  registryProjection,
  shadowResultsProjection,
  flagsProjection,
  rolloutsProjection,
];
