import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFlagEvaluator } from './flag-evaluator.js';
import { parseFeature, type GherkinScenario } from './testbed/gherkin-reader.js';
import { runScenario } from './testbed/testbed-steps.js';
import { packageRoot } from '../../core/package-root.js';

/**
 * The flagd evaluator compatibility suite (open-feature/flagd-testbed 3.9.0, evaluator
 * features), vendored under `test/fixtures/flagd-testbed` (Apache-2.0).
 *
 * Excluded: `@fractional-v1` only (the legacy float bucketing that flagd replaced by v2).
 * No scenario here needs a live flagd: this copy holds only the evaluator-level features
 * (the testbed's rpc/in-process/connection/event features, which talk to a flagd server
 * over the network, are not part of it), so every other scenario runs in-process.
 */
const testbed = join(packageRoot(), 'test', 'fixtures', 'flagd-testbed');
const gherkinDir = join(testbed, 'gherkin');
const flagsFile = join(testbed, 'flags', 'testkit-flags.json');
const EXCLUDED_TAGS = ['fractional-v1'];

const present = existsSync(gherkinDir) && existsSync(flagsFile);
const scenarios: GherkinScenario[] = present
  ? readdirSync(gherkinDir)
      .filter((f) => f.endsWith('.feature'))
      .sort()
      .flatMap((f) => parseFeature(readFileSync(join(gherkinDir, f), 'utf8')))
  : [];
const selected = scenarios.filter((s) => !s.tags.some((t) => EXCLUDED_TAGS.includes(t)));

describe('flagd testbed (evaluator)', () => {
  it(`is present at ${testbed}`, () => {
    expect(present).toBe(true);
    // Guards against a reader that silently drops scenarios: 3.9.0 expands to 140, 125 without v1.
    expect(selected.length).toBeGreaterThanOrEqual(125);
  });

  // One evaluator for the whole suite, as the testbed's "Given an evaluator" intends.
  let evaluator: ReturnType<typeof createFlagEvaluator> | undefined;
  const getEvaluator = () => (evaluator ??= createFlagEvaluator(readFileSync(flagsFile, 'utf8')));

  for (const scenario of selected) {
    it(`${scenario.feature} › ${scenario.name} [${scenario.tags.join(' ')}]`, () => {
      runScenario(scenario, getEvaluator, { equal: (a, e, msg) => expect(a, msg).toEqual(e) });
    });
  }
});
