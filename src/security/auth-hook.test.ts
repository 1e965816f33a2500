/**
 * The auth hook on a bare Fastify app with an in-memory token store (no server stack): each
 * refusal's status, reason and header, open mode and enforcement, `/metrics`, the local CLI
 * secret, the token's expiry at its boundary, and what a handler sees as `req.auth`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuth, type AuthOptions } from './auth-hook.js';
import { issueToken } from './auth/authenticate.js';
import { createMemoryTokenStore } from './auth/memory-token-store.js';
import type { TokenStore } from './auth/token-store.js';
import type { RequestAuth } from './control-event.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const LOCAL_SECRET = 'x'.repeat(32);

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(options: Partial<AuthOptions> & { tokens?: TokenStore } = {}) {
  const tokens = options.tokens ?? createMemoryTokenStore();
  const denied: [string, string][] = [];
  const auth = createAuth({ now: () => NOW, onDenied: (r, route) => denied.push([r, route]), ...options, tokens });
  app = Fastify();
  void auth.routes(app, undefined);
  const seen = (req: unknown) => ({ auth: (req as { auth?: RequestAuth }).auth ?? null });
  app.get('/health', async (req) => seen(req));
  app.get('/metrics', async (req) => seen(req));
  app.get('/api/v1/events', async (req) => seen(req));
  app.post('/api/v1/agents/:agent/decide', async (req) => seen(req));
  app.put('/api/v1/agents/:agent', async (req) => seen(req));
  await app.ready();
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, token?: string) =>
    app!.inject({ method, url, ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }) });
  return { auth, tokens, denied, call };
}

describe('createAuth: refusals', () => {
  it('a missing token is 401 UNAUTHORIZED with the Bearer challenge, reported as MISSING for the route', async () => {
    const { call, denied } = await build();
    const r = await call('GET', '/api/v1/events');
    expect(r.statusCode).toBe(401);
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="apprentice"');
    expect(r.json()).toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
      detail: 'this endpoint needs an API token: send Authorization: Bearer <token>',
    });
    expect(denied).toEqual([['MISSING', '/api/v1/events']]);
  });

  it('names each 401 reason in the detail', async () => {
    const tokens = createMemoryTokenStore();
    const revoked = await issueToken(tokens, { name: 'gone', role: 'admin', now: NOW });
    await tokens.revoke(revoked.record.id, NOW.toISOString());
    const { call, denied } = await build({ tokens });
    const cases: [string, string, string][] = [
      ['hunter2', 'MALFORMED', 'the bearer token is not an apprentice API token'],
      [`apr_${'A'.repeat(43)}`, 'UNKNOWN', 'the API token is not known'],
      [revoked.token, 'REVOKED', 'the API token was revoked'],
    ];
    for (const [token, reason, detail] of cases) {
      const r = await call('GET', '/api/v1/events', token);
      expect(r.statusCode, reason).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer realm="apprentice"');
      expect(r.json()).toMatchObject({ code: 'UNAUTHORIZED', detail });
    }
    expect(denied.map(([reason]) => reason)).toEqual(['MALFORMED', 'UNKNOWN', 'REVOKED']);
    expect(JSON.stringify(denied)).not.toContain(revoked.token);
  });

  it('a token expires at its expiresAt by the clock given: a millisecond before it passes, at it it is 401 EXPIRED', async () => {
    const tokens = createMemoryTokenStore();
    const atNow = await issueToken(tokens, { name: 'a', role: 'viewer', expiresAt: NOW.toISOString(), now: NOW });
    const later = await issueToken(tokens, {
      name: 'b',
      role: 'viewer',
      expiresAt: new Date(NOW.getTime() + 1).toISOString(),
      now: NOW,
    });
    const { call, denied } = await build({ tokens });
    const r = await call('GET', '/api/v1/events', atNow.token);
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ code: 'UNAUTHORIZED', detail: 'the API token has expired' });
    expect((await call('GET', '/api/v1/events', later.token)).statusCode).toBe(200);
    expect(denied).toEqual([['EXPIRED', '/api/v1/events']]);
  });

  it('too low a role is 403 FORBIDDEN naming the role needed, without a Bearer challenge', async () => {
    const tokens = createMemoryTokenStore();
    const viewer = await issueToken(tokens, { name: 'v', role: 'viewer', now: NOW });
    const operator = await issueToken(tokens, { name: 'o', role: 'operator', now: NOW });
    const { call, denied } = await build({ tokens });
    const r = await call('POST', '/api/v1/agents/a/decide', viewer.token);
    expect(r.statusCode).toBe(403);
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(r.json()).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
      detail: 'the API token does not have the role this endpoint needs (operator)',
    });
    const admin = await call('PUT', '/api/v1/agents/a', operator.token);
    expect(admin.json()).toMatchObject({
      detail: 'the API token does not have the role this endpoint needs (admin)',
    });
    expect(denied).toEqual([
      ['FORBIDDEN', '/api/v1/agents/:agent/decide'],
      ['FORBIDDEN', '/api/v1/agents/:agent'],
    ]);
  });

  it('an unmatched URL needs a viewer and is reported as "unmatched"', async () => {
    const { call, denied } = await build();
    expect((await call('GET', '/api/v1/nowhere')).statusCode).toBe(401);
    expect(denied).toEqual([['MISSING', 'unmatched']]);
  });

  it('a refusal without onDenied still answers', async () => {
    const tokens = createMemoryTokenStore();
    const auth = createAuth({ tokens, now: () => NOW });
    app = Fastify();
    void auth.routes(app, undefined);
    app.get('/api/v1/events', async () => ({ ok: true }));
    expect((await app.inject({ method: 'GET', url: '/api/v1/events' })).statusCode).toBe(401);
  });
});

describe('createAuth: who gets through', () => {
  it('a good token: the handler sees its id, name and role', async () => {
    const tokens = createMemoryTokenStore();
    const op = await issueToken(tokens, { name: 'ci', role: 'operator', now: NOW });
    const { call, denied } = await build({ tokens });
    const r = await call('POST', '/api/v1/agents/a/decide', op.token);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ auth: { tokenId: op.record.id, name: 'ci', role: 'operator' } });
    expect(denied).toEqual([]);
  });

  it('an open route needs no token and sets no caller', async () => {
    const { call, denied } = await build();
    const r = await call('GET', '/health');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ auth: null });
    expect(denied).toEqual([]);
  });

  it('/metrics is open by default; metricsOpen false makes it viewer', async () => {
    const first = await build();
    expect((await first.call('GET', '/metrics')).statusCode).toBe(200);
    await app?.close();
    const tokens = createMemoryTokenStore();
    const viewer = await issueToken(tokens, { name: 'v', role: 'viewer', now: NOW });
    const closed = await build({ tokens, metricsOpen: false });
    expect((await closed.call('GET', '/metrics')).statusCode).toBe(401);
    expect(closed.denied).toEqual([['MISSING', '/metrics']]);
    expect((await closed.call('GET', '/metrics', viewer.token)).statusCode).toBe(200);
    expect((await closed.call('GET', '/health')).statusCode).toBe(200);
  });

  it('enforced by default; open mode lets everyone in as the local admin until enforce()', async () => {
    const enforced = await build();
    expect(enforced.auth.isOpen()).toBe(false);
    await app?.close();
    const { auth, call } = await build({ open: true });
    expect(auth.isOpen()).toBe(true);
    const r = await call('PUT', '/api/v1/agents/a');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ auth: { name: 'local', role: 'admin' } });
    expect((await call('GET', '/health')).json()).toEqual({ auth: null });
    auth.enforce();
    expect(auth.isOpen()).toBe(false);
    expect((await call('PUT', '/api/v1/agents/a')).statusCode).toBe(401);
  });

  it('the local CLI secret is the admin cli-local; it needs 32 characters; another secret is not it', async () => {
    const { auth, call, denied } = await build();
    expect(() => auth.allowLocal('y'.repeat(31))).toThrow('a local secret has at least 32 characters');
    expect((await call('PUT', '/api/v1/agents/a', LOCAL_SECRET)).statusCode).toBe(401);
    auth.allowLocal(LOCAL_SECRET);
    const r = await call('PUT', '/api/v1/agents/a', LOCAL_SECRET);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ auth: { name: 'cli-local', role: 'admin' } });
    expect((await call('PUT', '/api/v1/agents/a', 'z'.repeat(32))).statusCode).toBe(401);
    expect((await call('PUT', '/api/v1/agents/a')).statusCode).toBe(401);
    expect(denied.map(([reason]) => reason)).toEqual(['MALFORMED', 'MALFORMED', 'MISSING']);
  });

  it('a custom table replaces ROUTE_ROLES', async () => {
    const { call } = await build({ rules: [{ method: 'GET', url: '/api/v1/events', access: 'open' }] });
    expect((await call('GET', '/api/v1/events')).statusCode).toBe(200);
    expect((await call('GET', '/health')).statusCode).toBe(401);
  });
});
