import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DETEKTOR_AGENT_NAMES, type DetektorAgent } from './agent-definition.js';
import { DETEKTOR_AGENTS } from './detektor-pack.js';
import { createDetektorSimulator } from './simulator.js';
import { architectureVerdict } from './architecture-advisor.js';
import { reviewVerdict } from './code-reviewer.js';
import { rootCause } from './debugger.js';
import { deploymentStrategy } from './deployment-specialist.js';
import { estimateTaskHours } from './detektor-coder.js';
import { docVerdict } from './documentation-keeper.js';
import { docFormat } from './pisarz.js';
import { mergeAction } from './pr-manager.js';

const weird = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(NaN),
  fc.constant(Infinity),
  fc.constant(-Infinity),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.string(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);

function isValidAnswer(agent: DetektorAgent, answer: unknown): boolean {
  const def = agent.definition;
  if (def.kind === 'classification') return typeof answer === 'string' && (def.labels ?? []).includes(answer);
  return typeof answer === 'number' && Number.isFinite(answer) && answer > 0;
}

/** A context built from the agent's own field names, each missing, well-typed or garbage. */
const contextFor = (agent: DetektorAgent): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(Object.fromEntries(agent.definition.features.map((f) => [f.name, weird])), { requiredKeys: [] });

describe.each(DETEKTOR_AGENT_NAMES)('rules of %s', (name) => {
  const agent = DETEKTOR_AGENTS[name];

  it('are total and answer within the label set (or a positive finite number) on any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), contextFor(agent)), (ctx) => {
        const a = agent.rules(ctx);
        expect(isValidAnswer(agent, a)).toBe(true);
        expect(agent.rules(ctx)).toBe(a);
      }),
      { numRuns: 500 },
    );
  });

  it('are total on simulated contexts with fields removed or corrupted', () => {
    const sim = createDetektorSimulator({ seed: 3 });
    const base = Array.from({ length: 50 }, () => sim.next(name).context);
    fc.assert(
      fc.property(fc.constantFrom(...base), fc.dictionary(fc.constantFrom(...agent.definition.features.map((f) => f.name)), weird), fc.boolean(), (ctx, patch, drop) => {
        const mutated: Record<string, unknown> = { ...ctx, ...patch };
        if (drop) for (const k of Object.keys(patch)) delete mutated[k];
        expect(isValidAnswer(agent, agent.rules(mutated))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('give the same answer as the simulator reports as deterministic', () => {
    const sim = createDetektorSimulator({ seed: 9 });
    for (let i = 0; i < 200; i++) {
      const d = sim.next(name);
      expect(agent.rules(structuredClone(d.context))).toBe(d.deterministic);
    }
  });
});

describe('rules examples', () => {
  it('deployment risk: small weekday change ships standard, big core Friday-afternoon migration goes to staging first', () => {
    expect(deploymentStrategy({ linesChanged: 120, filesTouched: 4, dayOfWeek: 2, hourOfDay: 10 })).toBe('standard');
    expect(deploymentStrategy({ linesChanged: 400, filesTouched: 10, coreServicesTouched: 1 })).toBe('canary');
    expect(deploymentStrategy({ linesChanged: 900, filesTouched: 20, coreServicesTouched: 2, dayOfWeek: 5, hourOfDay: 15, hasMigration: true })).toBe('stage-first');
  });

  it('task estimate grows with story points, components and tests', () => {
    expect(estimateTaskHours({ storyPoints: 3, components: 2, hasTests: true })).toBe(11);
    expect(estimateTaskHours({ storyPoints: 8 })).toBeGreaterThan(estimateTaskHours({ storyPoints: 3 }));
    expect(estimateTaskHours({ storyPoints: 3, title: 'refactor tracker' })).toBeGreaterThan(estimateTaskHours({ storyPoints: 3, title: 'add tracker' }));
    expect(estimateTaskHours({})).toBe(8.5);
  });

  it('review verdict from the diff', () => {
    expect(reviewVerdict({ linesAdded: 40, testFilesChanged: 1 })).toBe('approve');
    expect(reviewVerdict({ linesAdded: 600, testFilesChanged: 0 })).toBe('request-changes');
    expect(reviewVerdict({ linesAdded: 10, ciPassed: false })).toBe('request-changes');
  });

  it('root cause triage order', () => {
    expect(rootCause({ gpuInLog: true, intermittent: true })).toBe('gpu-driver');
    expect(rootCause({ intermittent: true })).toBe('flaky-test');
    expect(rootCause({ onlyOnCi: true })).toBe('environment');
    expect(rootCause({ errorType: 'nan-loss' })).toBe('data-issue');
    expect(rootCause({ errorType: 'assertion' })).toBe('code-regression');
  });

  it('architecture, docs, writer and merge rules', () => {
    expect(architectureVerdict({ modulesAffected: 5, publicApiChanges: true })).toBe('rfc');
    expect(architectureVerdict({ modulesAffected: 2 })).toBe('design-review');
    expect(architectureVerdict({})).toBe('approve');
    expect(docVerdict({ cliFlagsChanged: true })).toBe('update-docs');
    expect(docVerdict({ cliFlagsChanged: true, docsTouched: true })).toBe('no-update');
    expect(docFormat({ featureComplexity: 5 })).toBe('full-guide');
    expect(docFormat({ featureComplexity: 1, hasApiChanges: true })).toBe('how-to');
    expect(docFormat({ featureComplexity: 1 })).toBe('short-note');
    expect(mergeAction({ commitsBehindMain: 3, ciStatus: 'green' })).toBe('merge-now');
    expect(mergeAction({ commitsBehindMain: 30 })).toBe('rebase-first');
    expect(mergeAction({ ciStatus: 'red' })).toBe('rebase-first');
  });
});
