import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../test/support/poll-until.js';
import { PG_URL, createTestSchema, type TestSchema } from '../../test/support/services.js';
import { issueToken } from '../security/auth/authenticate.js';
import { createSqlTokenStore } from '../security/auth/sql-token-store.js';
import { buildServer } from '../server/app.js';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { installSecurity, type InstalledSecurity } from './install-security.js';

// Issue 10: "propagate revocation the way flags are propagated". A token revoked by another
// process — here plain SQL on another connection, as the CLI or another instance does — stops
// working on a running server at once, through the tokens table's NOTIFY trigger and the
// server's LISTEN, not the slow fallback poll (30 s while LISTEN is connected: the 10 s
// deadlines below would fail on polling alone). A token created elsewhere ends open mode the
// same way.
describe('token changes reach a running server through LISTEN/NOTIFY', () => {
  let schema: TestSchema;
  let dir: string;
  let a: Apprentice;
  let sec: InstalledSecurity;
  let app: FastifyInstance;
  let other: pg.Client;

  beforeAll(async () => {
    schema = await createTestSchema('tokrev');
    dir = mkdtempSync(join(tmpdir(), 'apprentice-tokrev-'));
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`;
    a = await createApprentice({ config: { databaseUrl, dataDir: dir, host: '127.0.0.1' } });
    sec = await installSecurity(a, { env: {} });
    app = await buildServer(a, { routes: sec.server.routes, context: sec.server.context });
    other = new pg.Client({ connectionString: databaseUrl });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await app?.close();
    await sec?.stop();
    await a?.close();
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  // A viewer's read of a decision that does not exist: 404 when let in, 401 when refused.
  const status = async (token?: string): Promise<number> =>
    (await app.inject({ method: 'GET', url: '/api/v1/decisions/01900000-0000-7000-8000-000000000000', ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) })).statusCode;

  it('a token created by another process ends open mode; its revocation by plain SQL takes effect at once', async () => {
    expect(sec.auth.isOpen()).toBe(true);
    expect(await status()).toBe(404);
    // Once LISTEN is up the cache polls only every 30 s: from here on, notifications carry it.
    await pollUntil(() => sec.tokenPropagation() === 'notify', { timeoutMs: 10_000, message: 'LISTEN on the tokens channel' });

    // Another process (its own connection, its own token store) creates a token.
    const elsewhere = createSqlTokenStore({
      query: async (sql, params) => (await other.query(sql, params as unknown[])).rows,
      exec: async (sql) => void (await other.query(sql)),
    });
    const { token, record } = await issueToken(elsewhere, { name: 'elsewhere', role: 'viewer' });
    await pollUntil(() => !sec.auth.isOpen(), { timeoutMs: 10_000, message: 'open mode to end after a token was created elsewhere' });
    expect(await status()).toBe(401);
    expect(await status(token)).toBe(404);

    // Revoked with plain SQL on the other connection.
    await other.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [record.id]);
    await pollUntil(async () => (await status(token)) === 401, { timeoutMs: 10_000, message: 'the revoked token to be refused' });
  });
});
