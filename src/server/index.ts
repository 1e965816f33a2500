/**
 * server — the HTTP edge: Fastify with problem+json errors, the core routes (decide, outcome,
 * decisions, events, health, metrics); each wing's routes arrive through the runtime.
 */
export { buildServer } from './app.js';
