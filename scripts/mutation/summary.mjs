#!/usr/bin/env node
// Prints the mutation score of each group and file, and every surviving (or uncovered) mutant
// with its line and code, from reports/mutation/<group>/mutation.json — the material for
// docs/quality.md. Usage: node scripts/mutation/summary.mjs [group...]
import { existsSync, readFileSync } from 'node:fs';
import { GROUPS } from './groups.mjs';

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const score = (ms) => {
  const d = ms.filter((m) => DETECTED.has(m.status)).length;
  const u = ms.filter((m) => UNDETECTED.has(m.status)).length;
  return { detected: d, undetected: u, score: d + u === 0 ? NaN : (100 * d) / (d + u) };
};
const pct = (s) => (Number.isNaN(s.score) ? 'n/a' : `${s.score.toFixed(1)}%`);

for (const group of process.argv.length > 2 ? process.argv.slice(2) : Object.keys(GROUPS)) {
  const path = `reports/mutation/${group}/mutation.json`;
  if (!existsSync(path)) {
    console.log(`## ${group}: not run (no ${path})\n`);
    continue;
  }
  const report = JSON.parse(readFileSync(path, 'utf8'));
  const files = Object.entries(report.files);
  const all = files.flatMap(([, f]) => f.mutants);
  const total = score(all);
  console.log(`## ${group}: ${pct(total)} (${total.detected} detected / ${total.detected + total.undetected} valid mutants; ${all.length - total.detected - total.undetected} compile errors or ignored)\n`);
  console.log('| file | score | detected | survived | no coverage |');
  console.log('|---|---|---|---|---|');
  for (const [name, f] of files) {
    const s = score(f.mutants);
    const surv = f.mutants.filter((m) => m.status === 'Survived').length;
    const nocov = f.mutants.filter((m) => m.status === 'NoCoverage').length;
    console.log(`| ${name} | ${pct(s)} | ${s.detected} | ${surv} | ${nocov} |`);
  }
  console.log('');
  for (const [name, f] of files) {
    const lines = f.source.split('\n');
    for (const m of f.mutants.filter((x) => UNDETECTED.has(x.status)).sort((a, b) => a.location.start.line - b.location.start.line)) {
      const { start, end } = m.location;
      const original =
        start.line === end.line
          ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
          : `${lines[start.line - 1].slice(start.column - 1)} …`;
      const short = (s) => (s.length > 70 ? `${s.slice(0, 67)}…` : s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
      console.log(`- ${name}:${start.line} ${m.mutatorName} \`${short(original.trim())}\` → \`${short(m.replacement ?? '')}\` (${m.status})`);
    }
  }
  console.log('');
}
