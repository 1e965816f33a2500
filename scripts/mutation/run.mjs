#!/usr/bin/env node
// npm run mutation [-- <group>... | --since <ref>] [-- <stryker options>]
//
//   npm run mutation                  every group in turn (incremental: only what changed is re-mutated)
//   npm run mutation -- rollout drift two groups
//   npm run mutation -- --since main  only the production files changed since `main` (committed on this
//                                     branch, git diff main...HEAD, or uncommitted), in one run
//   npm run mutation -- drift -- --concurrency 2
//
// Reports: reports/mutation/<group>/mutation.{html,json} (+ incremental.json). Summary: docs/quality.md.
import { spawnSync } from 'node:child_process';
import { GROUPS, groupOf } from './groups.mjs';
import { changedFiles } from './since.mjs';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const own = dash === -1 ? argv : argv.slice(0, dash);
const passthrough = dash === -1 ? [] : argv.slice(dash + 1);

function stryker(env) {
  const r = spawnSync('npx', ['stryker', 'run', ...passthrough], { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

let status = 0;
const since = own.indexOf('--since');
if (since !== -1) {
  const ref = own[since + 1] ?? 'main';
  const files = changedFiles(ref);
  if (files.length === 0) {
    console.log(`mutation: no production file of a mutation group changed since ${ref}`);
    process.exit(0);
  }
  console.log(`mutation: ${files.length} file(s) changed since ${ref}:\n  ${files.join('\n  ')}`);
  const tests = new Set(files.flatMap((f) => GROUPS[groupOf(f)].tests));
  status = stryker({ MUTATION_GROUP: 'since', MUTATION_FILES: files.join(','), MUTATION_TESTS: [...tests].join(',') });
} else {
  const groups = own.length > 0 ? own : Object.keys(GROUPS);
  const unknown = groups.filter((g) => !(g in GROUPS));
  if (unknown.length > 0) {
    console.error(`mutation: unknown group(s) ${unknown.join(', ')}; groups: ${Object.keys(GROUPS).join(', ')}`);
    process.exit(2);
  }
  for (const g of groups) {
    console.log(`\nmutation: group ${g}`);
    status = stryker({ MUTATION_GROUP: g }) || status;
  }
}
process.exit(status);
