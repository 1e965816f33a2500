import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchSuite, Figure } from './harness.js';

const usage = `Usage: npm run bench -- [--json] [--only <figure-or-suite>]

Runs every bench/*.bench.ts suite and prints each figure beside its target.
  --json          end with one JSON array line of {name, value, unit, target, ok, baseline?, ratio?}
  --only <name>   run only the figure (or suite) with this name
  --list          list suites and their figures
  --md <file>     also write the results as a Markdown table to <file>`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const json = args.includes('--json');
  const onlyIdx = args.indexOf('--only');
  const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
  if (onlyIdx >= 0 && !only) {
    console.error('--only needs a figure or suite name');
    return 2;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
  const suites: BenchSuite[] = [];
  let broken = 0;
  for (const f of files) {
    try {
      const mod = (await import(pathToFileURL(join(here, f)).href)) as { default: BenchSuite };
      suites.push(mod.default);
    } catch (e) {
      broken++;
      console.error(`bench/${f} could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (args.includes('--list')) {
    for (const s of suites) console.log(`${s.name}: ${s.figures.join(', ')}`);
    return 0;
  }
  const selected = suites.filter((s) => !only || s.name === only || s.figures.includes(only));
  if (selected.length === 0) {
    console.error(`no bench figure or suite named "${only}" (try --list)`);
    return 2;
  }
  const mdIdx = args.indexOf('--md');
  const mdFile = mdIdx >= 0 ? args[mdIdx + 1] : undefined;
  if (mdIdx >= 0 && !mdFile) {
    console.error('--md needs a file name');
    return 2;
  }
  const all: Figure[] = [];
  for (const s of selected) {
    console.log(`\n## ${s.name}`);
    const figs = await s.run(only && s.name !== only ? only : undefined);
    for (const f of figs) {
      all.push(f);
      const ratio = f.ratio !== undefined ? `  ratio ${f.ratio.toFixed(3)}` : '';
      const base = f.baseline !== undefined ? `  baseline ${fmt(f.baseline)} ${f.unit}` : '';
      console.log(
        `${f.ok ? 'ok  ' : 'MISS'} ${f.name.padEnd(44)} ${fmt(f.value).padStart(12)} ${f.unit.padEnd(10)} target ${f.target}${base}${ratio}${f.note ? `  (${f.note})` : ''}`,
      );
    }
  }
  if (mdFile) writeFileSync(mdFile, markdown(all));
  if (json) console.log(JSON.stringify(all));
  return broken > 0 ? 1 : 0;
}

function markdown(figs: readonly Figure[]): string {
  const rows = figs.map(
    (f) =>
      `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.target} | ${f.ok ? 'ok' : '**missed**'} | ${f.baseline !== undefined ? fmt(f.baseline) : ''} | ${f.ratio !== undefined ? f.ratio.toFixed(3) : ''} | ${f.note ?? ''} |`,
  );
  return [
    `<!-- written by \`npm run bench -- --md docs/benchmarks.md\` on ${new Date().toISOString()}, ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(1)} -->`,
    '| figure | value | target | | baseline | ratio | note |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(4);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
