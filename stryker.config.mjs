// @ts-check
// Mutation testing of the modules that carry apprentice's promises (docs/quality.md).
// Run through `npm run mutation` (scripts/mutation/run.mjs), which runs one module group at
// a time (MUTATION_GROUP), each with its own incremental file and reports under
// reports/mutation/<group>/; `--since <ref>` runs the changed files only (MUTATION_FILES).
// Not run in CI: the machine has 2 cores shared with others, so concurrency stays at 1
// (pass `--concurrency 2` when the machine is idle).
import { writeFileSync } from 'node:fs';
import { GROUPS } from './scripts/mutation/groups.mjs';

const group = process.env.MUTATION_GROUP ?? 'all';
const files = process.env.MUTATION_FILES?.split(',').filter(Boolean);
if (group !== 'all' && group !== 'since' && !(group in GROUPS)) throw new Error(`unknown mutation group ${group}`);
const chosen = group in GROUPS ? [GROUPS[/** @type {keyof typeof GROUPS} */ (group)]] : Object.values(GROUPS);
const mutate = files ?? chosen.flatMap((g) => g.mutate);
// The tests vitest.mutation.config.ts runs: the chosen groups' own (set by run.mjs for --since).
process.env.MUTATION_TESTS ??= [...new Set(chosen.flatMap((g) => g.tests))].join(',');
// MUTATION_REPORT names the report directory and sandbox of a scoped run (one file, chosen
// tests), so that two engineers' runs in the same checkout do not share incremental files or
// temporary directories: `MUTATION_REPORT=writer` writes reports/mutation/writer/.
const name = process.env.MUTATION_REPORT ?? group;
if (!/^[\w.-]+$/.test(name)) throw new Error(`MUTATION_REPORT must be a plain name, got ${name}`);
const out = `reports/mutation/${name}`;

// The TypeScript checker compiles the mutated files and what they import, not the whole tree:
// another engineer's unfinished file elsewhere cannot stop the run. Written per run (gitignored).
const tsconfigFile = `.stryker-tsconfig.${name}.json`;
writeFileSync(
  tsconfigFile,
  JSON.stringify({ extends: './tsconfig.mutation.json', include: mutate.filter((g) => !g.startsWith('!')) }, null, 2),
);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile,
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate,
  // An allowlist: only what the unit tests need is copied to the sandbox, so other engineers'
  // build output and scratch directories (which come and go) cannot break the copy.
  ignorePatterns: [
    '/*',
    '!/src',
    '!/test',
    '!/migrations',
    '!/monitoring',
    '!/scripts',
    '!/package.json',
    '!/tsconfig.json',
    '!/tsconfig.mutation.json',
    '!/.stryker-tsconfig.*.json',
    '!/vitest.config.ts',
    '!/vitest.mutation.config.ts',
    '!/stryker.config.mjs',
  ],
  concurrency: 1,
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `${out}/incremental.json`,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `${out}/mutation.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  // A mutant that turns a loop infinite is a Timeout (killed); keep the wait bounded.
  timeoutMS: 10_000,
  timeoutFactor: 2,
  tempDirName: name === group ? '.stryker-tmp' : `.stryker-tmp-${name}`,
  cleanTempDir: 'always',
};
