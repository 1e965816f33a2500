import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoCommand } from '../../examples/detektor/demo-command.js';
import { buildCli, main } from '../../src/cli/program.js';

// Every `apprentice ...` command line in README.md and docs/ (runbooks included) is parsed by
// the real program, exactly as the executable would parse it, up to the point where its action
// would run: the command must exist, every option must be known, every required argument given
// and no argument left over. Then `<command> --help` runs. A renamed command or flag fails here.

const root = join(import.meta.dirname, '..', '..');
const markdown = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? markdown(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
const files = [join(root, 'README.md'), ...markdown(join(root, 'docs'))];

interface CommandLine {
  readonly where: string;
  readonly line: string;
}

/** Commands in inline code spans and in sh/bash/console blocks; names in plain blocks (the README's command table). */
function extract(file: string): { lines: CommandLine[]; names: CommandLine[] } {
  const text = readFileSync(file, 'utf8');
  const where = relative(root, file);
  const lines: CommandLine[] = [];
  const names: CommandLine[] = [];
  const fences = [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)];
  for (const [, lang, body] of fences) {
    for (const raw of body!.split('\n')) {
      // In console blocks only prompted lines are commands; the rest is their output.
      if (lang === 'console' && !raw.startsWith('$ ')) continue;
      const line = raw.replace(/^\$\s+/, '').trim();
      if (['sh', 'bash', 'console', 'shell'].includes(lang!)) {
        for (const segment of line.split(/\s(?:\|\||&&|;|\|)\s/)) {
          const cmd = segment.trim().replace(/^npx\s+/, '');
          if (/^apprentice\s/.test(cmd)) lines.push({ where, line: cmd });
        }
      } else if (lang === '') {
        const m = /^apprentice (\S+)\s{2,}\S/.exec(line);
        if (m) names.push({ where, line: `apprentice ${m[1]}` });
      }
    }
  }
  const prose = text.replace(/^```\w*\n[\s\S]*?^```$/gm, '');
  for (const m of prose.matchAll(/`((?:npx )?apprentice [^`]+)`/g)) lines.push({ where, line: m[1]!.replace(/\s+/g, ' ').replace(/^npx /, '') });
  return { lines, names };
}

const found = files.map(extract);
const commandLines = found.flatMap((f) => f.lines);
const commandNames = found.flatMap((f) => f.names);

const SAMPLE: Readonly<Record<string, string>> = { agent: 'refund-guard', name: 'alice', id: 'subject-1', why: 'a reason', n: '7', file: 'x.json', url: 'http://127.0.0.1:8080' };

/** Shell-like words; `a|b|c` alternatives expand to one argv each; `<placeholder>`s get samples; `[optional]` words drop. */
function argvs(line: string): string[][] {
  const words = [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => ({ word: m[1] ?? m[2] ?? m[3]!, quoted: m[3] === undefined }));
  let out: string[][] = [[]];
  for (const { word, quoted } of words.slice(1)) {
    if (!quoted && /^\[.*\]$/.test(word)) continue;
    const value = quoted ? word : word.replace(/<([a-z-]+)>/g, (_m, p: string) => SAMPLE[p] ?? 'x').replace(/^\$\w+$/, 'x');
    const alternatives = !quoted && value.includes('|') && !value.startsWith('--') ? value.split('|') : [value];
    out = out.flatMap((argv) => alternatives.map((a) => [...argv, a]));
  }
  return out;
}

class WouldRun extends Error {
  constructor(readonly path: string[]) {
    super(`would run ${path.join(' ')}`);
  }
}

/** Parse as the executable does, stopping where the action would start; returns the command path. */
async function parseOnly(argv: readonly string[]): Promise<string[]> {
  const program = buildCli([demoCommand()]);
  const stopAll = (c: Command): void => {
    c.hook('preAction', (_self, action) => {
      const path: string[] = [];
      for (let x: Command | null = action; x && x.parent; x = x.parent) path.unshift(x.name());
      throw new WouldRun(path);
    });
    c.commands.forEach(stopAll);
  };
  stopAll(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof WouldRun) return e.path;
    throw e;
  }
  throw new Error(`apprentice ${argv.join(' ')} parsed without reaching a command`);
}

describe('command lines in README.md and docs/', () => {
  beforeEach(() => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it('finds them (README, the guides and the runbooks)', () => {
    const where = new Set(commandLines.map((c) => c.where));
    for (const f of ['README.md', 'docs/own-agent.md', 'docs/runbooks/ApprenticeModelBelowRules.md', 'docs/runbooks/ApprenticeDatasetDrift.md']) expect(where, f).toContain(f);
    expect(commandNames.length).toBeGreaterThanOrEqual(15);
  });

  for (const { where, line } of commandLines) {
    it(`${where}: ${line}`, async () => {
      for (const argv of argvs(line)) {
        const path = await parseOnly(argv).catch((e: unknown) => {
          throw new Error(`\`apprentice ${argv.join(' ')}\` (${where}) is not a valid command line: ${(e as Error).message}`);
        });
        expect(await main([...path, '--help'], [demoCommand()]), `${path.join(' ')} --help`).toBe(0);
      }
    });
  }

  it('the README command table names only real commands', async () => {
    for (const { line } of commandNames) {
      const name = line.split(' ')[1]!;
      expect(await main([name, '--help'], [demoCommand()]), line).toBe(0);
    }
  });

  it('a command line that drifted is caught', async () => {
    await expect(parseOnly(['rollouts', 'refund-guard', 'pause'])).rejects.toThrow(/too many arguments|unknown/);
    await expect(parseOnly(['rollback', 'refund-guard'])).rejects.toThrow(/too many arguments/);
    await expect(parseOnly(['models', 'nonsense'])).rejects.toThrow();
  });
});
