import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCryptoError, isSubjectErasedError } from './privacy/crypto-error.js';
import { createRedactor } from './privacy/redact.js';
import { createEnvelopeEncryptor } from './privacy/envelope.js';
import { createKeyring } from './privacy/keyring.js';
import { createContextProtector } from './context-protector.js';
import { createSecurityRuntime } from './security-runtime.js';
import { sqlClientOf } from '../runtime/install-security.js';
import { applyRetention } from './retention.js';
import { startSecureServer, type SecureServer } from '../runtime/testing/secure-server.js';

const PII = {
  email: 'ada.lovelace@example.com',
  phone: '+44 20 7946 0958',
  card: '4111 1111 1111 1111',
  ip: '203.0.113.77',
  name: 'Ada Lovelace',
};
const piiContext = (extra: Record<string, unknown> = {}) => ({
  files: 3,
  note: `mail ${PII.email} or call ${PII.phone}, card ${PII.card} from ${PII.ip}`,
  user: { name: PII.name },
  ...extra,
});

describe('context protection on the decision path', () => {
  let s: SecureServer;
  const auth = (t: string) => ({ authorization: `Bearer ${t}` });
  beforeAll(async () => {
    s = await startSecureServer(
      {},
      { agentPolicy: () => ({ fields: { personal: [{ key: 'name', action: 'hash' }] } }) },
    );
  });
  afterAll(async () => {
    await s.close();
  });
  const decide = async (unitId: string, context: unknown, subjectId?: string): Promise<string> => {
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/agents/code-reviewer/decide',
      headers: auth(s.tokens.operator),
      payload: {
        unitId,
        context,
        deterministic: 'approve',
        ...(subjectId === undefined ? {} : { subjectId }),
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { decisionId: string }).decisionId;
  };
  const read = async (id: string) => {
    const r = await s.app.inject({
      method: 'GET',
      url: `/api/v1/decisions/${id}`,
      headers: auth(s.tokens.viewer),
    });
    return {
      status: r.statusCode,
      body: r.json() as {
        decision: { context: Record<string, unknown>; subjectId?: string };
        code?: string;
        detail?: string;
      },
    };
  };
  const allStored = async (): Promise<string> => {
    await s.settle();
    const rows = await s.a.store.query<{ t: string }>(
      `SELECT (SELECT coalesce(string_agg(data::text || metadata::text, '\n'), '') FROM events) || (SELECT coalesce(string_agg(d::text, '\n'), '') FROM decisions d) AS t`,
    );
    return rows[0]!.t;
  };

  it('stores no PII in clear (events and projections) and an authorised reader gets the redacted context back', async () => {
    const id = await decide('pr-pii', piiContext(), 'ada@example.com');
    const plain = await decide('pr-plain', piiContext());
    const stored = await allStored();
    for (const v of [...Object.values(PII), 'ada@example.com', 'lovelace']) expect(stored).not.toContain(v);
    for (const d of [id, plain]) {
      const r = await read(d);
      expect(r.status).toBe(200);
      expect(r.body.decision.context).toMatchObject({
        files: 3,
        note: expect.stringContaining('[REDACTED:email]'),
      });
      expect(r.body.decision.context.note).toContain('[REDACTED:credit_card]');
      expect((r.body.decision.context.user as { name: string }).name).toMatch(/^hmac:[0-9a-f]{64}$/);
    }
    expect((await read(id)).body.decision.subjectId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('after erasure a subject cannot be decrypted from the log or from a copy taken before, others still can', async () => {
    const a1 = await decide('u-a1', { secret: 'alpha-1', files: 1 }, 'subject-a');
    const a2 = await decide('u-a2', { files: 2 }, 'subject-a');
    const b1 = await decide('u-b1', { files: 7 }, 'subject-b');
    const plain = await decide('u-p', { files: 9 });
    await s.settle();
    await s.a.store.query('CREATE TABLE events_backup AS SELECT * FROM events');
    const ref = s.sec.protector.subjectRef('subject-a');
    const erase = await s.app.inject({
      method: 'POST',
      url: '/api/v1/subjects/subject-a/erase',
      headers: auth(s.tokens.admin),
      payload: { reason: 'GDPR art. 17' },
    });
    expect(erase.json()).toMatchObject({ subjectRef: ref, keyDestroyed: true });
    await s.settle();
    const outcome = async (table: string) => {
      const rows = await s.a.store.query<{ id: string; ctx: unknown }>(
        `SELECT data->>'decisionId' AS id, data->'context' AS ctx FROM ${table} WHERE type = 'DecisionMade' AND data->>'decisionId' = ANY($1)`,
        [[a1, a2, b1, plain]],
      );
      const out: Record<string, string> = {};
      for (const r of rows) {
        out[r.id] = await s.sec.protector.reveal(r.ctx).then(
          () => 'readable',
          (e: unknown) => (isSubjectErasedError(e) ? 'erased' : `error ${String(e)}`),
        );
      }
      return [out[a1], out[a2], out[b1], out[plain]];
    };
    expect(await outcome('events')).toEqual(['erased', 'erased', 'readable', 'readable']);
    expect(await outcome('events_backup')).toEqual(['erased', 'erased', 'readable', 'readable']);
    expect((await read(a1)).body.decision.context).toEqual({ erased: true });
    expect((await read(b1)).body.decision.context).toEqual({ files: 7 });
    const [ev] = await s.a.store.query<{ data: string; metadata: { actor: string; reason: string } }>(
      `SELECT data::text AS data, metadata FROM events WHERE type = 'SubjectErased'`,
    );
    expect(ev!.data).toContain(ref);
    expect(ev!.data).not.toContain('subject-a');
    expect(ev!.metadata).toMatchObject({ actor: 'test-admin', reason: 'GDPR art. 17' });
  });

  it('key rotation leaves every record readable and new records use the new key', async () => {
    const before = await decide('rot-1', { files: 1 });
    const beforeSubject = await decide('rot-2', { files: 2 }, 'subject-r');
    const oldKid = s.sec.runtime.keys.keyring.activeKeyId;
    const r = await s.app.inject({
      method: 'POST',
      url: '/api/v1/keys/rotate',
      headers: auth(s.tokens.admin),
      payload: { reason: 'quarterly' },
    });
    expect(r.json()).toMatchObject({ previousKeyId: oldKid });
    const after = await decide('rot-3', { files: 3 });
    await s.settle();
    for (const [id, files] of [
      [before, 1],
      [beforeSubject, 2],
      [after, 3],
    ] as const)
      expect((await read(id)).body.decision.context).toEqual({ files });
    const kids = await s.a.store.query<{ kid: string }>(
      `SELECT context->'record'->>'kid' AS kid FROM decisions WHERE decision_id = ANY($1::uuid[]) ORDER BY decided_at`,
      [[before, after]],
    );
    expect(kids.map((k) => k.kid)).toEqual([oldKid, (r.json() as { activeKeyId: string }).activeKeyId]);
    // the key file on disk was rewritten, so a restart reads both keys
    const reloaded = await createSecurityRuntime({ dataDir: s.dir, env: {} });
    expect(reloaded.keys.keyring.ids()).toEqual(s.sec.runtime.keys.keyring.ids());
    const [row] = await s.a.store.query<{ ctx: unknown }>(
      `SELECT context AS ctx FROM decisions WHERE decision_id = $1`,
      [before],
    );
    expect(await reloaded.protector.reveal(row!.ctx)).toEqual({ files: 1 });
  });

  it('a wrong or missing master key is a clear error naming the key, never garbage', async () => {
    const id = await decide('wrong-key', { files: 4 });
    await s.settle();
    const [row] = await s.a.store.query<{ ctx: { record: { kid: string } } }>(
      `SELECT context AS ctx FROM decisions WHERE decision_id = $1`,
      [id],
    );
    const kid = row!.ctx.record.kid;
    const key = randomBytes(32);
    const wrong = createEnvelopeEncryptor(
      createKeyring({ keys: [{ id: kid, key, createdAt: '2026-01-01T00:00:00Z' }] }),
    );
    const missing = createEnvelopeEncryptor(
      createKeyring({ keys: [{ id: 'other', key, createdAt: '2026-01-01T00:00:00Z' }] }),
    );
    for (const [enc, msg] of [
      [wrong, /wrong key or tampered/],
      [missing, /not in the keyring/],
    ] as const) {
      const p = createContextProtector({ redactor: createRedactor(), envelope: enc });
      const err = await p.reveal(row!.ctx).catch((e: unknown) => e);
      expect(isCryptoError(err)).toBe(true);
      expect(String((err as Error).message)).toMatch(msg);
      expect(String((err as Error).message)).toContain(kid);
    }
    const envRuntime = await createSecurityRuntime({
      dataDir: s.dir,
      env: { APPRENTICE_MASTER_KEY: randomBytes(32).toString('base64') },
    });
    const err = await envRuntime.protector.reveal(row!.ctx).catch((e: unknown) => e);
    expect(isCryptoError(err) && (err as Error).message).toMatch(/master key .* is not in the keyring/);
  });

  it('withholds a subject context that was not prepared (library path) instead of storing it', () => {
    const stored = s.sec.protector.protect('code-reviewer', { email: PII.email }, 'some-ref');
    expect(JSON.stringify(stored)).not.toContain(PII.email);
    expect(stored).toMatchObject({ $protected: 'withheld' });
  });

  it('retention archives and purges old decisions from the projections, never from the event log', async () => {
    await s.settle();
    const count = async (t: string) =>
      (await s.a.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`))[0]!.n;
    const events = await count('events');
    const decisions = await count('decisions');
    expect(decisions).toBeGreaterThan(5);
    const recorded: unknown[] = [];
    const none = await applyRetention({
      db: sqlClientOf(s.a)!,
      dataClass: 'decisions',
      olderThanDays: 1,
      archiveDir: join(s.dir, 'archive'),
      record: (e) => recorded.push(e),
      actor: 'job',
    });
    expect(none).toMatchObject({ purged: 0, archive: undefined });
    const r = await applyRetention({
      db: sqlClientOf(s.a)!,
      dataClass: 'decisions',
      olderThanDays: 1,
      archiveDir: join(s.dir, 'archive'),
      record: (e) => recorded.push(e),
      actor: 'job',
      now: new Date(Date.now() + 2 * 86_400_000),
      batchSize: 4,
    });
    expect(r.purged).toBe(decisions);
    expect(await count('decisions')).toBe(0);
    expect(await count('outcomes')).toBe(0);
    expect(await count('events')).toBe(events);
    const lines = readFileSync(r.archive!, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(decisions);
    expect(statSync(r.archive!).mode & 0o777).toBe(0o600);
    for (const v of Object.values(PII)) expect(lines.join('')).not.toContain(v);
    expect(recorded.at(-1)).toMatchObject({
      type: 'RetentionApplied',
      data: { purged: decisions, dataClass: 'decisions' },
      metadata: { actor: 'job' },
    });
  });
});
