/** Agent definitions: what each agent decides, how its feedback arrives, which features a model may use. */
export { AgentDefinitionSchema, DEFAULT_TIME_BUDGET_MS, LearnerChoice, modelTask, parseAgentDefinition } from './agent-definition.js';
export type { AgentDefinition, VersionedAgent } from './agent-definition.js';
export { AgentRegistry } from './agent-registry.js';
export type { AgentDefinedData, AgentRegistryOptions, ChangeMeta, DeterministicPolicy, EventSink } from './agent-registry.js';
export { agentsProjection } from './agents-projection.js';
export { agentRoutes } from './agent-routes.js';
