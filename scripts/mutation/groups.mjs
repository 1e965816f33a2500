// The module groups that carry apprentice's promises (issue 20), one Stryker run each.
// `npm run mutation -- <group>` mutates one group; `npm run mutation` runs them all in turn.
// `mutate`: Stryker globs of the production files (test files and helpers are never mutated).
// `tests`: the unit tests run against each mutant — the modules' own tests and their nearest
// importers' (vitest.mutation.config.ts). Scoping them keeps a run in minutes on 2 shared
// cores and keeps another engineer's unfinished test elsewhere from failing the dry run; a
// mutant only a far-away test would catch counts as a survivor (the score is a lower bound).
const NOT_TESTS = ['!src/**/*.test.ts', '!src/**/testing/**'];

export const GROUPS = {
  /** Statistics (tests, intervals, power, SRM) and off-policy evaluation. */
  stats: {
    mutate: ['src/experiments/stats/**/*.ts', ...NOT_TESTS],
    tests: ['src/experiments/stats/**/*.test.ts', 'src/experiments/analysis/**/*.test.ts'],
  },
  ope: {
    mutate: ['src/experiments/ope/**/*.ts', ...NOT_TESTS],
    tests: ['src/experiments/ope/**/*.test.ts'],
  },
  /** Rollout policy, state transitions and the controller. */
  rollout: {
    mutate: [
      'src/experiments/rollout/rollout-policy.ts',
      'src/experiments/rollout/transition.ts',
      'src/experiments/rollout/rollout-controller.ts',
      'src/experiments/rollout/rollout-state.ts',
    ],
    tests: ['src/experiments/rollout/**/*.test.ts'],
  },
  /** Breakers and the model guard. */
  resilience: {
    mutate: [
      'src/safety/resilience/circuit.ts',
      'src/safety/resilience/accuracy-breaker.ts',
      'src/safety/resilience/slow-call-breaker.ts',
      'src/safety/resilience/model-guard.ts',
    ],
    tests: ['src/safety/resilience/**/*.test.ts', 'src/safety/ops/**/*.test.ts'],
  },
  /** Decision engine, learning writer, decision reader. */
  decisions: {
    mutate: [
      'src/decisions/decision-engine.ts',
      'src/decisions/async-learning-writer.ts',
      'src/decisions/cached-decision-reader.ts',
    ],
    tests: ['src/decisions/**/*.test.ts', 'src/learning/shadow/**/*.test.ts'],
  },
  /** Projector, event store append/read, bus. */
  log: {
    mutate: [
      'src/log/projector/projector.ts',
      'src/log/events/sql-event-store.ts',
      'src/log/bus/memory-bus.ts',
      'src/log/bus/spool.ts',
    ],
    tests: ['src/log/**/*.test.ts', 'src/decisions/**/*.test.ts'],
  },
  /** Flag evaluation. */
  flags: {
    mutate: [
      'src/experiments/flags/flag-evaluator.ts',
      'src/experiments/flags/compiled-flag.ts',
      'src/experiments/flags/rollout-flag.ts',
      'src/experiments/flags/internal/**/*.ts',
      ...NOT_TESTS,
    ],
    tests: ['src/experiments/flags/**/*.test.ts'],
  },
  /** Route roles and token checks. */
  security: {
    mutate: [
      'src/security/route-roles.ts',
      'src/security/auth-hook.ts',
      'src/security/auth/authenticate.ts',
      'src/security/auth/roles.ts',
      'src/security/auth/tokens.ts',
      'src/security/auth/memory-token-store.ts',
    ],
    tests: ['src/security/**/*.test.ts'],
  },
  /** Drift method choice and verdicts. */
  drift: {
    mutate: ['src/observability/drift/method.ts', 'src/observability/drift/detect-drift.ts'],
    tests: ['src/observability/drift/**/*.test.ts', 'src/observability/drift-monitoring/**/*.test.ts'],
  },
  /** Metric wiring: the decision metrics and the write path's scrape-time counters. */
  metrics: {
    mutate: ['src/runtime/install-learning.ts', 'src/runtime/runtime-metrics.ts'],
    tests: ['src/runtime/**/*.wiring.test.ts'],
  },
};

/** Every production file of every group matches one of these (for `--since`). */
export function groupOf(file) {
  for (const [name, { mutate }] of Object.entries(GROUPS)) {
    if (mutate.some((g) => !g.startsWith('!') && matches(g, file))) return name;
  }
  return undefined;
}

function matches(glob, file) {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*\//g, '(?:.*/)?')
    .replace(/\*/g, '[^/]*');
  return new RegExp(`^${re}$`).test(file);
}
