/** The learning path: join outcomes to decisions, train incrementally, register versions. */
export { AgentTrainer } from './agent-trainer.js';
export type { TrainingMetrics, TrainingRow } from './agent-trainer.js';
export { TrainingLoop } from './training-loop.js';
export type { TrainingLoopOptions, TrainingLoopStats } from './training-loop.js';
