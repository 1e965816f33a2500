import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeatureEncoder, createLogisticRegression } from '../../src/learning/learners/index.js';
import { deleteKeys } from '../../src/log/bus/testing/redis-keys.js';
import { runCli, startCli, type RunningServer } from '../support/cli-process.js';
import { pollUntil } from '../support/poll-until.js';
import { createTestSchema, REDIS_URL, testPrefix, type TestSchema } from '../support/services.js';

/**
 * Issue 14, "a test shows every CLI command working while the server runs". The built CLI
 * against a running `serve`, embedded (PGlite: the process holds the data directory) and in
 * server mode (PostgreSQL + Redis: the journal in the data directory is the server's). Every
 * command that reads or changes state runs twice: found through the data directory (the
 * server's `apprentice.server.json`; no URL given) and with `--url` (and a token). Each is
 * checked by what it printed and by its effect seen through another command or the API.
 * `restore` is the one refused while a server runs (it needs an empty store): the test
 * checks the refusal names the server and says to stop it.
 */

const AGENT = 'refund-guard';

interface Mode {
  readonly name: string;
  readonly store: 'pglite' | 'postgres';
  setup(dir: string): Promise<{ args: string[]; cleanup: () => Promise<void> }>;
}

const MODES: readonly Mode[] = [
  { name: 'embedded (PGlite)', store: 'pglite', setup: async () => ({ args: [], cleanup: async () => undefined }) },
  {
    name: 'server mode (PostgreSQL + Redis)',
    store: 'postgres',
    async setup(dir) {
      const schema: TestSchema = await createTestSchema('cliserve');
      const prefix = testPrefix('cliserve');
      const databaseUrl = `${schema.connectionString}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
      const config = join(dir, 'apprentice.config.json');
      writeFileSync(config, JSON.stringify({ databaseUrl, redisUrl: REDIS_URL, redisPrefix: prefix, logLevel: 'silent', learningThrottle: false }));
      return {
        args: ['--config', config],
        cleanup: async () => {
          await deleteKeys(REDIS_URL, prefix);
          await schema.drop();
        },
      };
    },
  },
];

describe.each(MODES)('every CLI command while `serve` runs: $name', (mode) => {
  let dir: string;
  let dataDir: string;
  let server: RunningServer;
  let cleanup: () => Promise<void> = async () => undefined;
  let storage: string[];
  /** A storage command found through the data directory (no URL anywhere). */
  const local = (...args: string[]) => runCli([...args, ...storage], { APPRENTICE_LOG_LEVEL: 'silent' });
  /** A server command (agents, flags, rollouts, ...) found through the data directory alone. */
  const dirApi = (...args: string[]) => runCli([...args, '--data-dir', dataDir], { APPRENTICE_LOG_LEVEL: 'silent' });
  /** The same against `--url` (with a token once auth is on). */
  let remote: (...args: string[]) => ReturnType<typeof runCli>;
  const json = async <T>(p: ReturnType<typeof runCli>): Promise<T> => {
    const r = await p;
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    return JSON.parse(r.stdout) as T;
  };
  const ok = async (p: ReturnType<typeof runCli>): Promise<string> => {
    const r = await p;
    expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-cli-serving-'));
    dataDir = join(dir, 'data');
    const s = await mode.setup(dir);
    cleanup = s.cleanup;
    storage = [...s.args, '--data-dir', dataDir];
    server = await startCli(['serve', ...storage, '--port', '0'], { APPRENTICE_LOG_LEVEL: 'silent' }, undefined, undefined, 180_000);
    remote = (...args: string[]) => runCli([...args, '--url', server.url], { APPRENTICE_LOG_LEVEL: 'silent' });
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    await cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the server says where it answers in its data directory, readable by its user only', () => {
    const file = join(dataDir, 'apprentice.server.json');
    const f = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; url: string; token: string };
    expect(f.url).toBe(server.url);
    expect(f.token).toMatch(/^apl_/);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('status and migrate report the running server (no CONFLICT on its store)', { timeout: 600_000 }, async () => {
    const status = await json<{ server: string; store: string; counts: { events: number }; health: { component: string; status: string }[] }>(local('status', '--json'));
    expect(status.server).toBe(server.url);
    expect(status.store).toBe(mode.store);
    expect(status.health.find((h) => h.component === `event-store:${mode.store}`)?.status).toBe('ok');
    const text = await ok(local('status'));
    expect(text).toContain(`server:  ${server.url}`);
    expect(text).toMatch(/counts:\s+\d+ events, \d+ decisions, \d+ outcomes/);
    const migrated = await ok(local('migrate'));
    expect(migrated).toMatch(new RegExp(`${mode.store}: schema at version \\d+ .*migrated by the server at ${server.url.replace(/[.]/g, '\\.')}`));
  });

  it('tokens create | list | revoke; once a token exists, the data directory still lets the CLI in and --url needs a token', { timeout: 600_000 }, async () => {
    const created = await json<{ id: string; name: string; role: string; token: string }>(local('tokens', 'create', '--name', 'alice', '--role', 'admin', '--reason', 'first admin', '--json'));
    expect(created).toMatchObject({ name: 'alice', role: 'admin' });
    expect(created.token.length).toBeGreaterThan(20);
    // Auth is on now (the first token ends the embedded open mode): --url without a token is refused.
    const refused = await remote('tokens', 'list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/UNAUTHORIZED/);
    remote = (...args: string[]) => runCli([...args, '--url', server.url, '--token', created.token], { APPRENTICE_LOG_LEVEL: 'silent' });
    const viaUrl = await json<{ name: string }[]>(remote('tokens', 'list', '--json'));
    expect(viaUrl.map((t) => t.name)).toEqual(['alice']);

    const bob = await json<{ id: string; token: string }>(remote('tokens', 'create', '--name', 'bob', '--role', 'viewer', '--json'));
    expect(await json(runCli(['status', '--url', server.url, '--token', bob.token, '--json'], {}))).toMatchObject({ server: server.url });
    expect((await ok(local('tokens', 'list')))).toMatch(/bob\s+viewer/);
    expect(await ok(local('tokens', 'revoke', bob.id, '--reason', 'left'))).toBe(`revoked ${bob.id}\n`);
    expect(await ok(remote('tokens', 'revoke', bob.id))).toBe(`${bob.id} was already revoked\n`);
    const after = await json<{ name: string; revokedAt?: string }[]>(local('tokens', 'list', '--json'));
    expect(after.find((t) => t.name === 'bob')?.revokedAt).toBeDefined();
    // The revoked token is refused at once.
    const gone = await runCli(['status', '--url', server.url, '--token', bob.token], {});
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/UNAUTHORIZED/);
  });

  it('agents, models register | list | versions | alias, lineage', { timeout: 600_000 }, async () => {
    const def = join(dir, 'agent.json');
    writeFileSync(def, JSON.stringify({ kind: 'classification', labels: ['approve', 'reject'], feedback: 'label', features: [{ name: 'amount', type: 'numeric' }] }));
    expect(await json(dirApi('agents', 'put', AGENT, def, '--reason', 'cli test', '--json'))).toMatchObject({ name: AGENT, version: 1 });
    expect(await ok(remote('agents', 'get'))).toMatch(new RegExp(`${AGENT}\\s+1\\s+classification`));

    const enc = createFeatureEncoder([{ name: 'amount', type: 'numeric' }]);
    const model = createLogisticRegression({ featureCount: enc.dimension });
    for (let i = 0; i < 40; i++) {
      enc.observe({ amount: i });
      model.partialFit(enc.encode({ amount: i }), i > 20 ? 'reject' : 'approve');
    }
    const file = join(dir, 'model.json');
    writeFileSync(file, JSON.stringify({ format: 'learner', task: 'classification', encoder: enc.toJSON(), learner: model.toJSON() }));
    expect(await json(dirApi('models', 'register', AGENT, file, '--alias', 'shadow', '--json'))).toMatchObject({ agent: AGENT, version: 1, alias: { name: 'shadow', to: 1 } });
    expect(await json(remote('models', 'register', AGENT, file, '--json'))).toMatchObject({ agent: AGENT, version: 2 });

    expect(await json(local('models', 'list', '--json'))).toEqual([{ agent: AGENT, latest: 2, aliases: { shadow: 1 } }]);
    expect(await ok(remote('models', 'list'))).toMatch(new RegExp(`${AGENT}\\s+2\\s+shadow=1`));
    expect(await ok(local('models', 'alias', AGENT, 'shadow', '2', '--reason', 'newer'))).toBe(`${AGENT}@shadow: 1 -> 2\n`);
    expect(await json(remote('models', 'alias', AGENT, 'shadow', '1', '--reason', 'back', '--json'))).toMatchObject({ from: 2, to: 1, rollback: true });
    const versions = await json<{ versions: { version: number }[]; aliases: Record<string, number>; history: { to: number; reason: string }[] }>(local('models', 'versions', AGENT, '--json'));
    expect(versions.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(versions.aliases).toEqual({ shadow: 1 });
    expect(versions.history.map((h) => [h.to, h.reason])).toEqual([[1, expect.any(String)], [2, 'newer'], [1, 'back']]);
    expect(await ok(remote('models', 'versions', AGENT))).toMatch(/ALIAS\s+FROM\s+TO/);

    const lineage = await json<{ agent: string; version: number; sha256: string; aliases: { alias: string }[] }>(local('lineage', AGENT, '2', '--json'));
    expect(lineage).toMatchObject({ agent: AGENT, version: 2 });
    expect(lineage.aliases.map((a) => a.alias)).toEqual(['shadow']);
    expect(await json(remote('lineage', AGENT, '1', '--json'))).toMatchObject({ agent: AGENT, version: 1 });
    const missing = await local('lineage', AGENT, '9');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
  });

  it('flags, rollouts, rollback, breakers, features', { timeout: 600_000 }, async () => {
    const flag = join(dir, 'flag.json');
    writeFileSync(flag, JSON.stringify({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off' }));
    expect(await ok(dirApi('flags', 'set', 'new-ui', flag, '--reason', 'try'))).toBe('new-ui is now version 1\n');
    expect(await json(remote('flags', 'get', 'new-ui', '--json'))).toMatchObject({ key: 'new-ui', version: 1, definition: { defaultVariant: 'off' } });

    expect(await json(dirApi('rollouts', 'pause', AGENT, '--reason', 'looking', '--json'))).toMatchObject({ step: 'paused(shadow)' });
    expect(await json(remote('rollouts', 'resume', AGENT, '--json'))).toMatchObject({ step: 'shadow' });
    expect(await json(dirApi('rollouts', 'advance', AGENT, '--json'))).toMatchObject({ step: 'canary-5' });
    expect(await ok(remote('rollouts'))).toMatch(new RegExp(`${AGENT}\\s+canary-5\\s+5`));
    expect(await json(dirApi('rollback', '--agent', AGENT, '--reason', 'drill', '--json'))).toMatchObject({ agent: AGENT });
    expect(await json<{ step: string }>(remote('rollouts', 'show', AGENT, '--json'))).not.toMatchObject({ step: 'canary-5' });
    const rolled = await json<{ agents: string[] }>(remote('rollback', '--all', '--json'));
    expect(Array.isArray(rolled.agents)).toBe(true);

    expect(await json(dirApi('breakers', 'open-all', '--reason', 'drill', '--json'))).toMatchObject({ agents: expect.any(Array) });
    expect(await json(remote('breakers', '--json'))).toMatchObject({ heldOpen: true });
    await ok(remote('breakers', 'close-all'));
    expect(await json(dirApi('breakers', 'list', '--json'))).toMatchObject({ heldOpen: false });

    expect(await json(dirApi('features', 'list', '--json'))).toEqual([]);
    const view = join(dir, 'view.json');
    writeFileSync(
      view,
      JSON.stringify({ name: 'customer-activity', entity: 'customer', entityPath: 'unitId', source: { events: 'decisions', agent: AGENT }, features: [{ name: 'decisions_1d', aggregation: 'count', window: '1d' }] }),
    );
    expect(await json(dirApi('features', 'backfill', 'customer-activity', view, '--reason', 'new view', '--timeout', '120', '--json'))).toMatchObject({ name: 'customer-activity', status: { phase: 'live' } });
    expect(await ok(remote('features', 'list'))).toMatch(/customer-activity/);
    expect(await json(remote('features', 'get', 'customer-activity', 'nobody', '--json'))).toMatchObject({ view: 'customer-activity', entity: 'nobody' });
  });

  it('erase, keys rotate, retention, export, audit', { timeout: 600_000 }, async () => {
    const token = (JSON.parse((await ok(local('tokens', 'create', '--name', 'client', '--role', 'operator', '--json')))) as { token: string }).token;
    const decide = async (unitId: string, subjectId: string) => {
      const r = await fetch(`${server.url}/api/v1/agents/${AGENT}/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ unitId, subjectId, context: { amount: 12, customer: unitId }, deterministic: 'approve' }),
      });
      expect(r.status, await r.clone().text()).toBe(200);
      return ((await r.json()) as { decisionId: string }).decisionId;
    };
    await decide('c-1', 'subject-a');
    await decide('c-2', 'subject-b');

    expect(await json(local('erase', '--subject', 'subject-a', '--reason', 'GDPR request', '--json'))).toMatchObject({ keyDestroyed: true });
    expect(await ok(remote('erase', '--subject', 'subject-a'))).toMatch(/had no key \(nothing to erase\); recorded/);

    const rotated = await json<{ before: string; after: string }>(local('keys', 'rotate', '--reason', 'quarterly', '--json'));
    expect(rotated.after).not.toBe(rotated.before);
    expect(await ok(remote('keys', 'rotate'))).toMatch(new RegExp(`active master key \\S+ \\(was ${rotated.after}\\)`));

    expect(await json(local('retention', '--older-than-days', '30', '--reason', 'policy', '--json'))).toMatchObject({ purged: 0 });
    expect(await ok(remote('retention', '--older-than-days', '30'))).toMatch(/^purged 0 decisions older than /);

    // Decisions reach the projection through the bus: the export sees them once projected.
    await pollUntil(async () => (await json<{ counts: { decisions: number } }>(remote('status', '--json'))).counts.decisions >= 2, { timeoutMs: 60_000, intervalMs: 500, message: 'two decisions projected' });
    const exported = await local('export', '--agent', AGENT, '--k', '2', '--quasi', 'amount');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toMatch(/exported 2 rows \(k=2; suppressed 0/);
    expect(exported.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { amount: unknown }).amount)).toHaveLength(2);
    const out = join(dir, 'export.ndjson');
    await ok(remote('export', '--agent', AGENT, '--quasi', 'amount', '--k', '2', '--out', out));
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);

    const audit = await json<{ type: string; actor?: string; reason?: string }[]>(local('audit', '--json'));
    const types = audit.map((e) => e.type);
    for (const t of ['TokenCreated', 'TokenRevoked', 'ModelAliasMoved', 'SubjectErased', 'KeyRotated', 'FlagChanged', 'RolloutStepChanged']) expect(types).toContain(t);
    const erased = audit.find((e) => e.type === 'SubjectErased' && e.reason === 'GDPR request');
    // Through the data directory the actor is the server's local admin.
    expect(erased?.actor).toBe('cli-local');
    const keyEvents = await json<{ type: string; reason?: string }[]>(remote('audit', '--type', 'KeyRotated', '--json'));
    expect(keyEvents.map((e) => e.reason)).toEqual(['quarterly', undefined]);
    expect(await ok(remote('audit', '--type', 'TokenRevoked'))).toMatch(/TokenRevoked\s+cli-local\s+token-\S+ — left/);
  });

  it('replay and backup run in the server; restore is refused while it runs', { timeout: 600_000 }, async () => {
    const before = await json<{ counts: { events: number; decisions: number } }>(local('status', '--json'));
    const replayed = await json<{ events: number }>(local('replay', '--json'));
    expect(replayed.events).toBeGreaterThan(0);
    expect(await ok(remote('replay'))).toMatch(/^replayed \d+ events in \d+ ms .* in the server at /);
    const after = await json<{ counts: { decisions: number } }>(remote('status', '--json'));
    expect(after.counts.decisions).toBe(before.counts.decisions);

    const file = join(dir, 'backup.ndjson.gz');
    const b = await json<{ events: number; artifacts: number; sha256: string }>(local('backup', '--out', file, '--json'));
    expect(b.events).toBeGreaterThanOrEqual(before.counts.events);
    expect(b.artifacts).toBeGreaterThanOrEqual(1);
    const lines = gunzipSync(readFileSync(file)).toString('utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ t: 'header' });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ t: 'end', events: b.events, sha256: b.sha256 });
    const file2 = join(dir, 'backup-2.ndjson.gz');
    expect(await ok(remote('backup', '--out', file2))).toMatch(/^backup .* from the server at .*: \d+ events, \d+ artifacts/);
    expect(existsSync(file2)).toBe(true);

    const refused = await local('restore', '--in', file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/CONFLICT/);
    expect(refused.stderr).toMatch(/restore .* cannot run through the server \(process \d+\) holding the data directory.*stop it first/);
    // The server is untouched and still answers.
    expect((await json<{ counts: { decisions: number } }>(local('status', '--json'))).counts.decisions).toBe(before.counts.decisions);
  });

  it('after the server stops, the file is gone and the CLI opens the storage itself', { timeout: 600_000 }, async () => {
    const served = await json(remote('models', 'list', '--json'));
    await server.stop();
    expect(existsSync(join(dataDir, 'apprentice.server.json'))).toBe(false);
    const status = await json<{ server?: string; counts: { events: number } }>(local('status', '--json'));
    expect(status.server).toBeUndefined();
    expect(status.counts.events).toBeGreaterThan(0);
    // The same registry, rebuilt from the log by the CLI itself.
    expect(await json(local('models', 'list', '--json'))).toEqual(served);
    expect(served).toEqual([{ agent: AGENT, latest: 2, aliases: expect.objectContaining({ shadow: 1 }) }]);
  });
});
