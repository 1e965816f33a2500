import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { issueToken } from '../../security/index.js';
import { isRole } from '../../security/index.js';
import { createSqlTokenStore } from '../../security/index.js';
import { EventType, type NewEvent, type StoredEvent } from '../../core/index.js';
import { NotFoundError, ValidationError } from '../../core/index.js';
import { createApprentice, type Apprentice } from '../../runtime/index.js';
import { CONTROL_EVENT_TYPES, auditLine, lineageOf, readEvents } from '../../security/index.js';
import { controlEvent } from '../../security/index.js';
import { isStoredContext } from '../../security/index.js';
import { eraseSubject } from '../../security/index.js';
import { sqlClientOf } from '../../runtime/index.js';
import { applyRetention, DataClass } from '../../security/index.js';
import { createSecurityRuntime } from '../../security/index.js';
import { rotateMasterKey } from '../../security/index.js';
import { publicToken, TOKEN_NAME_RE, tokenStream } from '../../security/index.js';
import { exportTraining, trainingRow } from '../../security/index.js';
import { configFrom, storageConfigOf, storageOptions, type GlobalFlags } from '../common.js';
import { callApi } from '../api.js';
import { remoteOf, remoteOptions, type RemoteFlags } from '../remote.js';
import { print, table } from '../output.js';
import { isEncryptedRecord } from '../../security/index.js';

interface ActionFlags extends RemoteFlags {
  readonly reason?: string;
  readonly actor?: string;
}

/** The apprentice (no projector) for one command; closed afterwards. */
async function withApprentice<T>(flags: GlobalFlags, fn: (a: Apprentice) => Promise<T>): Promise<T> {
  const a = await createApprentice({ config: storageConfigOf(configFrom(flags)), projector: false });
  try {
    return await fn(a);
  } finally {
    await a.close();
  }
}

/** CLI audit events go straight to the store (no projector runs in a CLI process). */
const appendNow = async (a: Apprentice, e: NewEvent): Promise<void> => void (await a.store.append([e]));
const actorOf = (flags: ActionFlags): string => flags.actor ?? `cli:${process.env.USER ?? 'unknown'}`;
const sqlOf = (a: Apprentice) => {
  const db = sqlClientOf(a);
  if (db === undefined) throw new ValidationError('this command needs the SQL event store');
  return db;
};
const withActor = (c: Command): Command =>
  remoteOptions(c)
    .option('--reason <text>', 'why (kept in the audit event)')
    .option('--actor <name>', 'audit actor when the storage is opened directly (default cli:$USER; through a server: its token)');
const enc = encodeURIComponent;

/** `apprentice tokens create|list|revoke`, directly against the token store (bootstraps the first admin token). */
export function tokensCommand(): Command {
  const cmd = new Command('tokens').description('API tokens (stored hashed; shown once at creation)');
  cmd.addCommand(
    withActor(storageOptions(new Command('create')))
      .description('create a token and print it once')
      .requiredOption('--name <name>', 'label, used as the audit actor')
      .requiredOption('--role <role>', 'viewer | operator | admin')
      .option('--expires-at <iso>', 'expiry (ISO-8601)')
      .option('--json', 'print as JSON')
      .action(async (flags: ActionFlags & { name: string; role: string; expiresAt?: string }) => {
        const issues = [];
        if (!TOKEN_NAME_RE.test(flags.name))
          issues.push({ path: 'name', message: 'letters, digits, . _ -; at most 64 characters' });
        if (!isRole(flags.role)) issues.push({ path: 'role', message: 'must be viewer, operator or admin' });
        if (flags.expiresAt !== undefined && !(Date.parse(flags.expiresAt) > Date.now()))
          issues.push({ path: 'expires-at', message: 'must be an ISO-8601 time in the future' });
        if (issues.length > 0 || !isRole(flags.role))
          throw new ValidationError('invalid token options', issues);
        const role = flags.role;
        const show = (t: Record<string, unknown>, token: string) =>
          print({ ...t, token }, !!flags.json, () => `${token}\n(token ${String(t.id)} "${String(t.name)}", role ${String(t.role)}: store it now, it is not shown again)`);
        const remote = remoteOf(flags);
        if (remote) {
          const created = await callApi<Record<string, unknown> & { token: string }>(remote.api, 'POST', '/api/v1/tokens', {
            name: flags.name,
            role,
            ...(flags.expiresAt ? { expiresAt: new Date(flags.expiresAt).toISOString() } : {}),
            ...(flags.reason ? { reason: flags.reason } : {}),
          });
          const { token, ...rest } = created;
          show(rest, token);
          return;
        }
        await withApprentice(flags, async (a) => {
          const tokens = createSqlTokenStore(sqlOf(a));
          const { token, record } = await issueToken(tokens, {
            name: flags.name,
            role,
            ...(flags.expiresAt ? { expiresAt: new Date(flags.expiresAt).toISOString() } : {}),
          });
          await appendNow(
            a,
            controlEvent(
              EventType.TokenCreated,
              tokenStream(record.id),
              { before: null, after: publicToken(record) },
              { actor: actorOf(flags), reason: flags.reason },
            ),
          );
          show(publicToken(record), token);
        });
      }),
  );
  cmd.addCommand(
    remoteOptions(storageOptions(new Command('list')))
      .description('list tokens (never the tokens themselves)')
      .option('--json', 'print as JSON')
      .action(async (flags: RemoteFlags) => {
        const remote = remoteOf(flags);
        const list = remote
          ? (await callApi<{ tokens: ReturnType<typeof publicToken>[] }>(remote.api, 'GET', '/api/v1/tokens')).tokens
          : await withApprentice(flags, async (a) => (await createSqlTokenStore(sqlOf(a)).list()).map(publicToken));
        print(list, !!flags.json, () =>
          table([
            ['ID', 'NAME', 'ROLE', 'CREATED', 'EXPIRES', 'REVOKED'],
            ...list.map((t) => [t.id, t.name, t.role, t.createdAt, t.expiresAt ?? '-', t.revokedAt ?? '-'].map(String)),
          ]),
        );
      }),
  );
  cmd.addCommand(
    withActor(storageOptions(new Command('revoke')))
      .description('revoke a token by id')
      .argument('<id>', 'token id (see `tokens list`)')
      .option('--json', 'print as JSON')
      .action(async (id: string, flags: ActionFlags) => {
        const remote = remoteOf(flags);
        if (remote) {
          const before = (await callApi<{ tokens: { id: string; revokedAt?: string }[] }>(remote.api, 'GET', '/api/v1/tokens')).tokens.find((t) => t.id === id);
          const after = await callApi<{ revokedAt?: string }>(remote.api, 'DELETE', `/api/v1/tokens/${enc(id)}${flags.reason ? `?reason=${enc(flags.reason)}` : ''}`);
          const revoked = before !== undefined && before.revokedAt === undefined && after.revokedAt !== undefined;
          print({ id, revoked }, !!flags.json, () => (revoked ? `revoked ${id}` : `${id} was already revoked`));
          return;
        }
        await withApprentice(flags, async (a) => {
          const tokens = createSqlTokenStore(sqlOf(a));
          const before = (await tokens.list()).find((t) => t.id === id);
          if (before === undefined) throw new NotFoundError(`token ${id} not found`);
          const at = new Date().toISOString();
          const revoked = await tokens.revoke(id, at);
          if (revoked)
            await appendNow(
              a,
              controlEvent(
                EventType.TokenRevoked,
                tokenStream(id),
                { before: publicToken(before), after: publicToken({ ...before, revokedAt: at }) },
                { actor: actorOf(flags), reason: flags.reason },
              ),
            );
          print({ id, revoked }, !!flags.json, () =>
            revoked ? `revoked ${id}` : `${id} was already revoked`,
          );
        });
      }),
  );
  return cmd;
}

/** `apprentice keys rotate [--reencrypt]`. */
export function keysCommand(): Command {
  const cmd = new Command('keys').description(
    'master encryption keys (key file under <dataDir>/keys, never in the database)',
  );
  cmd.addCommand(
    withActor(storageOptions(new Command('rotate')))
      .description('add a new active master key; old records stay readable')
      .option(
        '--reencrypt',
        're-encrypt the contexts in the decisions projection under the new key (the event log is immutable)',
      )
      .option('--json', 'print as JSON')
      .action(async (flags: ActionFlags & { reencrypt?: boolean }) => {
        const remote = remoteOf(flags);
        if (remote) {
          if (flags.reencrypt)
            throw new ValidationError('--reencrypt rewrites the decisions projection in the storage itself', [
              { path: 'reencrypt', message: 'rotate through the server without it, then re-encrypt with the server stopped (`apprentice keys rotate --reencrypt` on the storage)' },
            ]);
          const k = await callApi<{ activeKeyId: string; previousKeyId: string }>(remote.api, 'POST', '/api/v1/keys/rotate', flags.reason ? { reason: flags.reason } : {});
          print({ before: k.previousKeyId, after: k.activeKeyId, reencrypted: 0 }, !!flags.json, () => `active master key ${k.activeKeyId} (was ${k.previousKeyId})`);
          return;
        }
        await withApprentice(flags, async (a) => {
          const rt = await createSecurityRuntime({ dataDir: a.config.dataDir });
          const r = await rotateMasterKey(rt.keys);
          await appendNow(
            a,
            controlEvent(
              EventType.KeyRotated,
              'keys-master',
              { before: { activeKeyId: r.before }, after: { activeKeyId: r.after } },
              { actor: actorOf(flags), reason: flags.reason },
            ),
          );
          let reencrypted = 0;
          if (flags.reencrypt) {
            const db = sqlOf(a);
            const rows = await db.query<{ id: string; ctx: unknown }>(
              `SELECT decision_id AS id, context AS ctx FROM decisions WHERE context->>'$protected' = 'envelope' AND context->'record'->>'kid' <> $1`,
              [r.after],
            );
            for (const row of rows) {
              if (
                !isStoredContext(row.ctx) ||
                row.ctx.$protected !== 'envelope' ||
                !isEncryptedRecord(row.ctx.record)
              )
                continue;
              await db.query('UPDATE decisions SET context = $2 WHERE decision_id = $1', [
                row.id,
                JSON.stringify({ $protected: 'envelope', record: rt.envelope.reencrypt(row.ctx.record) }),
              ]);
              reencrypted++;
            }
          }
          print(
            { ...r, reencrypted },
            !!flags.json,
            () =>
              `active master key ${r.after} (was ${r.before})${flags.reencrypt ? `; re-encrypted ${reencrypted} stored contexts` : ''}`,
          );
        });
      }),
  );
  return cmd;
}

/** `apprentice erase --subject <id>`: crypto-shreds the subject's data key. */
export function eraseCommand(): Command {
  return withActor(storageOptions(new Command('erase')))
    .description(
      "destroy a subject's data key: their contexts become unreadable everywhere (log, projections, backups)",
    )
    .requiredOption('--subject <id>', 'the subject id given at decide time')
    .option('--json', 'print as JSON')
    .action(async (flags: ActionFlags & { subject: string }) => {
      const remote = remoteOf(flags);
      const r = remote
        ? await callApi<Awaited<ReturnType<typeof eraseSubject>>>(remote.api, 'POST', `/api/v1/subjects/${enc(flags.subject)}/erase`, flags.reason ? { reason: flags.reason } : {})
        : await withApprentice(flags, async (a) => {
            const rt = await createSecurityRuntime({ dataDir: a.config.dataDir });
            const events: NewEvent[] = [];
            const erased = await eraseSubject(flags.subject, {
              subjects: rt.subjects,
              record: (e) => events.push(e),
              actor: actorOf(flags),
              reason: flags.reason,
            });
            await a.store.append(events);
            return erased;
          });
      print(r, !!flags.json, () =>
        r.keyDestroyed
          ? `erased subject ${r.subjectRef}`
          : `subject ${r.subjectRef} had no key (nothing to erase); recorded`,
      );
    });
}

/** `apprentice retention --older-than-days N`: archive then purge old decisions from the projections. */
export function retentionCommand(): Command {
  return withActor(storageOptions(new Command('retention')))
    .description(
      'archive decisions older than N days to NDJSON and purge them from the projections (never from the event log)',
    )
    .requiredOption('--older-than-days <n>', 'age in days')
    .option('--archive-dir <dir>', 'default <dataDir>/archive')
    .option('--json', 'print as JSON')
    .action(async (flags: ActionFlags & { olderThanDays: string; archiveDir?: string }) => {
      const remote = remoteOf(flags);
      if (remote) {
        if (flags.archiveDir !== undefined)
          throw new ValidationError('through a running server the archive goes to its own archive directory', [{ path: 'archive-dir', message: "leave it out: the server writes to <its dataDir>/archive" }]);
        const r = await callApi<{ purged: number; cutoff: string; archive?: string }>(remote.api, 'POST', '/api/v1/retention/apply', {
          olderThanDays: Number(flags.olderThanDays),
          ...(flags.reason ? { reason: flags.reason } : {}),
        });
        print(r, !!flags.json, () => `purged ${r.purged} decisions older than ${r.cutoff}${r.archive ? ` (archived to ${r.archive})` : ''}`);
        return;
      }
      await withApprentice(flags, async (a) => {
        const events: NewEvent[] = [];
        const r = await applyRetention({
          db: sqlOf(a),
          dataClass: DataClass.decisions,
          olderThanDays: Number(flags.olderThanDays),
          archiveDir: flags.archiveDir ?? join(resolve(a.config.dataDir), 'archive'),
          record: (e) => events.push(e),
          actor: actorOf(flags),
          reason: flags.reason,
        });
        await a.store.append(events);
        print(
          r,
          !!flags.json,
          () =>
            `purged ${r.purged} decisions older than ${r.cutoff}${r.archive ? ` (archived to ${r.archive})` : ''}`,
        );
      });
    });
}

/** `apprentice export --agent X --k 5 --quasi a,b,c`: k-anonymous NDJSON of training rows. */
export function exportCommand(): Command {
  return remoteOptions(storageOptions(new Command('export')))
    .description('export training rows (features + outcomes, never contexts) as k-anonymous NDJSON')
    .requiredOption('--agent <name>', 'agent')
    .option('--k <k>', 'k of k-anonymity', '5')
    .requiredOption('--quasi <fields>', 'comma-separated quasi-identifier feature names')
    .option('--out <file>', 'output file (default stdout)')
    .action(async (flags: RemoteFlags & { agent: string; k: string; quasi: string; out?: string }) => {
      const remote = remoteOf(flags);
      const r = remote
        ? await callApi<ReturnType<typeof exportTraining>>(remote.api, 'GET', `/api/v1/export?agent=${enc(flags.agent)}&k=${enc(flags.k)}&quasi=${enc(flags.quasi)}`)
        : await withApprentice(flags, async (a) => {
            const rows = await a.store.query<Record<string, unknown>>(
              'SELECT * FROM decisions_with_outcomes WHERE agent = $1 ORDER BY decided_at',
              [flags.agent],
            );
            return exportTraining(rows.map(trainingRow), {
              k: Number(flags.k),
              quasi: flags.quasi
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            });
          });
      const text = r.rows.map((row) => JSON.stringify(row)).join('\n') + (r.rows.length > 0 ? '\n' : '');
      if (flags.out) {
        const ws = createWriteStream(flags.out, { mode: 0o600 });
        await new Promise<void>((res, rej) => ws.end(text, () => res()).on('error', rej));
      } else process.stdout.write(text);
      process.stderr.write(
        `exported ${r.rows.length} rows (k=${flags.k}; suppressed ${r.suppressed}; levels ${JSON.stringify(r.levels)})\n`,
      );
    });
}

/** `apprentice audit [--type T] [--json]`: the control events (who, when, why, before/after). */
export function auditCommand(): Command {
  return remoteOptions(storageOptions(new Command('audit')))
    .description('print the audit trail of control actions')
    .option('--type <types>', 'comma-separated event types (default: every control event)')
    .option('--limit <n>', 'at most n events', '1000')
    .option('--json', 'print as JSON')
    .action(async (flags: RemoteFlags & { type?: string; limit: string }) => {
      const types = flags.type ? flags.type.split(',').map((s) => s.trim()) : [...CONTROL_EVENT_TYPES];
      const limit = Number(flags.limit) || 1000;
      const remote = remoteOf(flags);
      const events = remote ? await remoteEvents(remote.api, types, limit) : await withApprentice(flags, (a) => readEvents(a.store, types, limit));
      const json = events.map((e) => ({
        id: e.id,
        type: e.type,
        stream: e.stream,
        time: e.time,
        actor: e.metadata.actor,
        reason: e.metadata.reason,
        data: e.data,
      }));
      print(json, !!flags.json, () =>
        events.length === 0 ? 'no control events' : events.map(auditLine).join('\n'),
      );
    });
}

/** The events of `types` through `GET /api/v1/events`, oldest first, page by page up to `limit`. */
async function remoteEvents(api: Parameters<typeof callApi>[0], types: readonly string[], limit: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let after: string | null = null;
  while (out.length < limit) {
    const q = new URLSearchParams({ type: types.join(','), limit: String(Math.min(1000, limit - out.length)), ...(after ? { after } : {}) });
    const page: { events: StoredEvent[]; next: string | null } = await callApi(api, 'GET', `/api/v1/events?${q.toString()}`);
    out.push(...page.events);
    if (page.events.length === 0 || page.next === null || page.next === after) break;
    after = page.next;
  }
  return out;
}

/** `apprentice lineage <agent> <version>`: what a model version was trained on. */
export function lineageCommand(): Command {
  return remoteOptions(storageOptions(new Command('lineage')))
    .description('trace a model version to its training events and feature-spec hash')
    .argument('<agent>', 'agent')
    .argument('<version>', 'version number')
    .option('--json', 'print as JSON')
    .action(async (agent: string, version: string, flags: RemoteFlags) => {
      const v = Number(version);
      if (!Number.isInteger(v) || v < 1)
        throw new ValidationError('invalid version', [{ path: 'version', message: 'a positive integer' }]);
      const remote = remoteOf(flags);
      const r = remote
        ? await callApi<unknown>(remote.api, 'GET', `/api/v1/models/${enc(agent)}/versions/${v}/lineage`)
        : await withApprentice(flags, (a) => lineageOf(a.store, agent, v));
      print(r, !!flags.json, () => JSON.stringify(r, null, 2));
    });
}

/** Every security command, for main.ts. */
export const securityCommands = (): Command[] => [
  tokensCommand(),
  keysCommand(),
  eraseCommand(),
  retentionCommand(),
  exportCommand(),
  auditCommand(),
  lineageCommand(),
];
