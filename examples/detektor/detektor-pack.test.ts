import { describe, expect, it } from 'vitest';
import { AGENT_NAME_RE } from '../../src/decisions/validate.js';
import { FeatureEncoder, resolveFeatureSpec } from '../../src/learning/learners/index.js';
import { DETEKTOR_AGENT_NAMES, type AgentDefinition, type DeterministicPolicy } from './agent-definition.js';
import { DETEKTOR_AGENTS, detektorAgent, registerDetektorAgents } from './detektor-pack.js';
import { createDetektorSimulator } from './simulator.js';

describe('Detektor agent pack', () => {
  it('registers the eight definitions with their rules through the callback, in order', () => {
    const seen: [AgentDefinition, DeterministicPolicy][] = [];
    const result = registerDetektorAgents((def, policy) => {
      seen.push([def, policy]);
      return def.name;
    });
    expect(result).toEqual([...DETEKTOR_AGENT_NAMES]);
    expect(seen).toHaveLength(8);
    for (const [def, policy] of seen) expect(policy).toBe(DETEKTOR_AGENTS[def.name as keyof typeof DETEKTOR_AGENTS].rules);
  });

  it.each(DETEKTOR_AGENT_NAMES)('%s has a valid name, label set and feature spec that encodes simulated contexts', (name) => {
    const { definition } = DETEKTOR_AGENTS[name];
    expect(definition.name).toBe(name);
    expect(AGENT_NAME_RE.test(name)).toBe(true);
    expect(() => resolveFeatureSpec(definition.features)).not.toThrow();
    if (definition.kind === 'classification') expect(definition.labels?.length).toBeGreaterThanOrEqual(2);
    else expect(definition.labels).toBeUndefined();
    if (definition.feedback === 'reward') expect(definition.kind).toBe('classification');
    const enc = new FeatureEncoder(definition.features);
    const sim = createDetektorSimulator({ seed: 2 });
    const contexts = Array.from({ length: 100 }, () => sim.next(name).context);
    contexts.forEach((c) => enc.observe(c));
    for (const c of contexts) expect(Array.from(enc.encode(c)).every(Number.isFinite)).toBe(true);
    // every declared feature is something the simulator actually provides
    const provided = new Set(contexts.flatMap((c) => Object.keys(c)));
    for (const f of definition.features) expect(provided.has(f.name)).toBe(true);
  });

  it('looks agents up by name', () => {
    expect(detektorAgent('pisarz').definition.feedback).toBe('reward');
    expect(() => detektorAgent('nobody')).toThrow(/not a Detektor agent/);
  });
});
