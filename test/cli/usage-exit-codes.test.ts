import type { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { demoCommand } from '../../examples/detektor/demo-command.js';
import { buildCli, main } from '../../src/cli/program.js';

// Every command and subcommand of the executable (the library's CLI plus `demo`), walked from
// the real program, so a command added later is covered without editing this file.
const extra = (): Command[] => [demoCommand()];

interface Entry {
  readonly path: readonly string[];
  readonly needsInput: boolean;
}

function walk(cmd: Command, path: readonly string[], out: Entry[]): Entry[] {
  for (const c of cmd.commands) {
    const p = [...path, c.name()];
    const requiredArgs = c.registeredArguments.some((a) => a.required);
    const requiredOptions = c.options.some((o) => o.mandatory);
    out.push({ path: p, needsInput: requiredArgs || requiredOptions });
    walk(c, p, out);
  }
  return out;
}

const commands = walk(buildCli(extra()), [], []);
const commandAt = (path: readonly string[]): Command =>
  path.reduce<Command>((c, name) => c.commands.find((x) => x.name() === name)!, buildCli(extra()));

describe('usage errors exit 2, for every command', () => {
  let written: unknown[] = [];
  beforeEach(() => {
    written = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
      written.push(chunk);
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  const said = (): string => written.map(String).join('');
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    process.exitCode = undefined;
  });

  it('walks the whole tree (top-level and nested commands)', () => {
    const names = commands.map((c) => c.path.join(' '));
    for (const expected of ['serve', 'demo', 'agents put', 'agents get', 'models register', 'rollouts pause', 'rollouts resume', 'rollouts advance', 'breakers open-all', 'flags set', 'tokens create'])
      expect(names).toContain(expected);
  });

  for (const { path, needsInput } of commands) {
    it(`${path.join(' ')} --no-such-flag`, async () => {
      expect(await main([...path, '--no-such-flag'], extra())).toBe(2);
      // A command with required options reports those first; either way nothing ran.
      expect(said()).toMatch(needsInput ? /unknown option '--no-such-flag'|required option '.+' not specified/ : /unknown option '--no-such-flag'/);
    });
  }

  for (const { path } of commands.filter((c) => c.needsInput)) {
    it(`${path.join(' ')} without its required arguments`, async () => {
      expect(await main([...path], extra())).toBe(2);
      expect(said()).toMatch(/missing required argument|required option '.+' not specified/);
    });
  }

  it('an unknown command', async () => {
    expect(await main(['no-such-command'], extra())).toBe(2);
  });

  // Every command that talks to a server reads --url, else APPRENTICE_URL: a malformed value of
  // either is refused before anything runs, and the error names where it came from.
  const apiCommands = commands.filter(({ path }) => commandAt(path).options.some((o) => o.long === '--url'));
  it('finds the commands that talk to a server', () => {
    expect(apiCommands.map((c) => c.path.join(' '))).toEqual(expect.arrayContaining(['breakers list', 'breakers open-all', 'rollouts show', 'rollouts pause', 'rollback', 'flags get', 'agents put', 'models register']));
  });
  for (const { path } of apiCommands) {
    // Required arguments and required options get a value, so only the URL can be what is refused.
    const args = [
      ...path,
      ...commandAt(path).registeredArguments.filter((a) => a.required).map(() => 'x'),
      ...commandAt(path).options.filter((o) => o.mandatory).flatMap((o) => [o.long!, 'x']),
    ];
    it(`${path.join(' ')} honours APPRENTICE_URL and --url`, async () => {
      vi.stubEnv('APPRENTICE_URL', 'not-a-url');
      expect(await main(args, extra())).toBe(2);
      expect(said()).toMatch(/invalid server URL "not-a-url"[\s\S]*APPRENTICE_URL: must be an absolute http\(s\) URL/);
      expect(await main([...args, '--url', 'ftp://elsewhere'], extra())).toBe(2);
      expect(said()).toMatch(/invalid server URL "ftp:\/\/elsewhere"[\s\S]*url: must be an absolute http\(s\) URL/);
    });
  }

  it('an unreadable definition file is a usage error', async () => {
    await main(['agents', 'put', 'debugger', '/nonexistent/agent.json', '--url', 'http://127.0.0.1:9'], extra());
    expect(process.exitCode).toBe(2);
  });

  it('an ONNX model without --meta is a usage error', async () => {
    await main(['models', 'register', 'debugger', 'model.onnx', '--url', 'http://127.0.0.1:9'], extra());
    expect(process.exitCode).toBe(2);
  });
});
