import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli-process.js';

// The built CLI as a process, with no DATABASE_URL / REDIS_URL: embedded PGlite + in-process bus.
describe('apprentice serve (embedded, no PostgreSQL/Redis)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-e2e-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves /health, accepts decisions, and keeps them across a restart', { timeout: 180_000 }, async () => {
    const first = await startCli(['serve', '--data-dir', dir, '--port', '0'], { APPRENTICE_LOG_LEVEL: 'silent' });
    let decisionId: string;
    try {
      expect(await (await fetch(`${first.url}/health`)).json()).toEqual({ status: 'ok' });
      const r = await fetch(`${first.url}/api/v1/agents/detektor-coder/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ unitId: 'task-7', context: { storyPoints: 5 }, deterministic: 6.5 }),
      });
      expect(r.status).toBe(200);
      decisionId = ((await r.json()) as { decisionId: string }).decisionId;
      const o = await fetch(`${first.url}/api/v1/decisions/${decisionId}/outcome`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ value: 8 }),
      });
      expect(o.status).toBe(202);
    } finally {
      expect(await first.stop('SIGTERM')).toBe(0);
    }
    const second = await startCli(['serve', '--data-dir', dir, '--port', '0'], { APPRENTICE_LOG_LEVEL: 'silent' });
    try {
      const got = await fetch(`${second.url}/api/v1/decisions/${decisionId}`);
      expect(got.status).toBe(200);
      expect(await got.json()).toMatchObject({ decision: { unitId: 'task-7', value: 6.5 }, outcome: { value: 8 } });
    } finally {
      await second.stop();
    }
    const status = await runCli(['status', '--data-dir', dir, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ counts: { decisions: 1, outcomes: 1 } });
  });

  it('bad configuration exits 2 with the field named, and writes nothing', async () => {
    const r = await runCli(['status', '--data-dir', join(dir, 'never'), '--database-url', 'mysql://root@localhost/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/databaseUrl: must be a URL like postgres:/);
    const bad = await runCli(['serve', '--port', 'eighty']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/port/);
  });

  it('every command has --help', async () => {
    for (const cmd of ['serve', 'demo', 'worker', 'migrate', 'replay', 'status']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout).toMatch(/Usage: apprentice/);
    }
  });
});
