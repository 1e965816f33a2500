import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/log/events/data-dir-lock.js';
import { runCli } from '../support/cli-process.js';
import { createTestSchema, type TestSchema } from '../support/services.js';

/**
 * Issue 14, "no command is locked out": in server mode the store is PostgreSQL, shared, but the
 * data directory holds the decision journal, locked by the `serve --role worker` (or `worker`)
 * process using it; a worker writes no server file (it serves health only), so the CLI opens the
 * storage itself. Here this test process holds that journal lock, as a running worker would
 * (same lock file, a live process id), and the built CLI's storage commands on the same data
 * directory must work: they open the store without a journal (they never record decisions).
 */
describe('storage commands on the data directory of a running worker (server mode)', () => {
  let schema: TestSchema;
  let dir: string;
  let release: () => void;
  let args: string[];

  beforeAll(async () => {
    schema = await createTestSchema('cliworker');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-cli-worker-'));
    mkdirSync(join(dir, 'journal'));
    release = lockDataDir(join(dir, 'journal'), 'the decision journal');
    args = ['--database-url', `${schema.connectionString}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`, '--data-dir', dir];
  }, 60_000);
  afterAll(async () => {
    release?.();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('migrate, tokens create | list, status and audit run while the journal is held; the lock stays the holder’s', { timeout: 300_000 }, async () => {
    const env = { APPRENTICE_LOG_LEVEL: 'silent' };
    const migrated = await runCli(['migrate', ...args], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/^postgres: schema at version \d+/);
    const created = await runCli(['tokens', 'create', '--name', 'ops', '--role', 'admin', '--reason', 'beside a worker', '--json', ...args], env);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'ops', role: 'admin' });
    const listed = await runCli(['tokens', 'list', '--json', ...args], env);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((t) => t.name)).toEqual(['ops']);
    const status = await runCli(['status', '--json', ...args], env);
    expect(status.code, status.stderr).toBe(0);
    // The service's configured durability is shown, not the CLI's own journal-less opening.
    expect(JSON.parse(status.stdout)).toMatchObject({ config: { durability: 'local' }, counts: { events: 1 } });
    const audit = await runCli(['audit', '--type', 'TokenCreated', '--json', ...args], env);
    expect(JSON.parse(audit.stdout)).toMatchObject([{ type: 'TokenCreated', reason: 'beside a worker' }]);
    expect(readFileSync(join(dir, 'journal', 'apprentice.lock'), 'utf8').trim()).toBe(String(process.pid));
  });
});
