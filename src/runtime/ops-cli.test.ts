import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { alertsCommand, breakersCommand, dashboardsCommand } from '../cli/commands/ops.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { buildServer } from '../server/app.js';
import { installOps, type InstalledOps } from './install-ops.js';

/** Runs a command factory and returns what it printed on stdout. */
async function run(cmd: ReturnType<typeof breakersCommand>, args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await cmd.exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('ops CLI commands', () => {
  let dir: string;
  let a: Apprentice;
  let ops: InstalledOps;
  let app: FastifyInstance;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-ops-cli-'));
    a = await createApprentice({ config: { dataDir: join(dir, 'data') } });
    ops = await installOps(a, { throttle: false });
    app = await buildServer(a, { routes: [...ops.server.routes] });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    ops.getGuard('debugger');
  });
  afterAll(async () => {
    await app.close();
    await ops.stop();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('breakers list / open-all / close-all talk to the server', async () => {
    expect(await run(breakersCommand(), ['list', '--url', url])).toMatch(/debugger\s+failure\s+closed/);
    const opened = JSON.parse(
      await run(breakersCommand(), ['open-all', '--url', url, '--reason', 'drill', '--json']),
    ) as { agents: string[] };
    expect(opened.agents).toEqual(['debugger']);
    expect(await run(breakersCommand(), ['--url', url])).toMatch(
      /open-all override in force[\s\S]*debugger\s+slow\s+isolated/,
    );
    expect(await run(breakersCommand(), ['close-all', '--url', url])).toMatch(/close-all: 1 agent/);
    expect(ops.board.list().every((b) => b.state === 'closed')).toBe(true);
  });

  it('breakers fails clearly when the server is unreachable or the URL is bad', async () => {
    await expect(run(breakersCommand(), ['list', '--url', 'http://127.0.0.1:1'])).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    });
    await expect(run(breakersCommand(), ['list', '--url', 'not a url'])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('alerts and dashboards write their files', async () => {
    const out = join(dir, 'mon');
    await run(alertsCommand(), ['--out', out]);
    expect(readdirSync(join(out, 'prometheus', 'rules'))).toContain('apprentice.rules.yml');
    expect(existsSync(join(out, 'alertmanager', 'alertmanager.yml'))).toBe(true);
    const printed = await run(dashboardsCommand(), ['--out', join(dir, 'dash')]);
    expect(printed.split('\n').filter((l) => l.startsWith('wrote ')).length).toBe(6);
    expect(readdirSync(join(dir, 'dash')).length).toBe(6);
  });
});
