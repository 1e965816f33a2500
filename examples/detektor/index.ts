/**
 * The Detektor agent pack (the eight development agents of a computer-vision project: their
 * definitions and deterministic rules), a seeded workload simulator with hidden ground truth,
 * an in-process learning-effect simulation and a demo workload driver.
 */
export { AgentKind, DETEKTOR_AGENT_NAMES, FeedbackKind } from './agent-definition.js';
export type { AgentDefinition, DetektorAgent, DetektorAgentName, DeterministicPolicy } from './agent-definition.js';
export { DETEKTOR_AGENTS, detektorAgent, registerDetektorAgents } from './detektor-pack.js';
export { ARCHITECTURE_VERDICTS, architectureAdvisor, architectureVerdict } from './architecture-advisor.js';
export type { ArchitectureVerdict } from './architecture-advisor.js';
export { PR_LANGUAGES, REVIEW_VERDICTS, codeReviewer, reviewVerdict } from './code-reviewer.js';
export type { ReviewVerdict } from './code-reviewer.js';
export { ERROR_TYPES, ROOT_CAUSES, debuggerAgent, rootCause } from './debugger.js';
export type { RootCause } from './debugger.js';
export { DEPLOYMENT_STRATEGIES, DETEKTOR_SERVICES, deploymentRisk, deploymentSpecialist, deploymentStrategy } from './deployment-specialist.js';
export type { DeploymentStrategy } from './deployment-specialist.js';
export { ASSIGNEE_LEVELS, TASK_AREAS, detektorCoder, estimateTaskHours } from './detektor-coder.js';
export { CHANGE_TYPES, DOC_VERDICTS, docVerdict, documentationKeeper } from './documentation-keeper.js';
export type { DocVerdict } from './documentation-keeper.js';
export { AUDIENCES, DOC_FORMATS, docFormat, pisarz } from './pisarz.js';
export type { DocFormat } from './pisarz.js';
export { CI_STATUSES, MERGE_ACTIONS, mergeAction, prManager } from './pr-manager.js';
export type { MergeAction } from './pr-manager.js';
export { DEFAULT_AGENT_MIX, createDetektorSimulator } from './simulator.js';
export type { DetektorSimulator, DetektorSimulatorOptions, SimulatedDecision, SimulatedOutcome } from './simulator.js';
export { defaultLearnerFactory } from './learner-factory.js';
export type { LearnerFactory, LearnerRequest } from './learner-factory.js';
export { LEARNING_EFFECT_SCENARIO, runSimulation } from './run-simulation.js';
export type { AgentScores, AgentSimulationReport, HeadlineMetric, RewardScores, RunSimulationOptions, SimulationReport } from './run-simulation.js';
export { startDemoWorkload } from './demo-workload.js';
export type { DecisionTarget, DemoDecision, DemoOutcome, DemoWorkloadOptions, DemoWorkloadStats, StopDemoWorkload } from './demo-workload.js';
