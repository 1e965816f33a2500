// The production files of the mutation groups changed since a git ref: committed on this
// branch (`git diff main...HEAD`) or not yet committed (`git diff HEAD`, untracked files).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { groupOf } from './groups.mjs';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' }).split('\n').filter(Boolean);

export function changedFiles(ref = 'main') {
  const names = new Set([
    ...git('diff', '--name-only', `${ref}...HEAD`),
    ...git('diff', '--name-only', 'HEAD'),
    ...git('ls-files', '--others', '--exclude-standard', 'src'),
  ]);
  return [...names]
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('/testing/'))
    .filter((f) => existsSync(f) && groupOf(f) !== undefined)
    .sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(changedFiles(process.argv[2]).join('\n'));
}
