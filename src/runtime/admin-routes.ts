import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, contractRoute, defineRoute, parseInput, requestActor, type RouteModule } from '../core/index.js';
import { AGENT_NAME_RE } from '../decisions/index.js';
import type { ArtifactStore } from '../learning/index.js';
import { exportTraining, lineageOf, trainingRow } from '../security/index.js';
import { writeBackup } from './backup.js';
import type { Apprentice } from './create-apprentice.js';
import type { ServerContext } from './server-context.js';
import { checkTierable, type TieringJob } from './tiering-job.js';

// The HTTP side of the storage commands (issue 14: the CLI works against a running service).
// While `serve` runs it holds the embedded store and the journal, so `apprentice status`,
// `replay`, `backup`, `export` and `lineage` come here instead of opening the storage.

const agent = z.string().regex(AGENT_NAME_RE, 'must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits, dashes)');
const Health = z.object({ component: z.string(), status: z.string(), error: z.string().optional(), detail: z.looseObject({}).optional() });

export const getStatus = defineRoute({
  method: 'GET',
  path: '/api/v1/status',
  role: 'viewer',
  summary: 'What `apprentice status` shows: store, bus, schema version, counts, spool and component health',
  tags: ['ops'],
  responses: {
    200: {
      description: 'the status of this instance',
      schema: z.object({
        instance: z.string(),
        store: z.string(),
        bus: z.string(),
        migrations: z.array(z.object({ version: z.number().int(), name: z.string() })),
        counts: z.object({ events: z.number().int(), decisions: z.number().int(), outcomes: z.number().int() }),
        spool: z.looseObject({ events: z.number().int() }),
        health: z.array(Health),
      }),
      example: {
        instance: 'api-1',
        store: 'postgres',
        bus: 'redis',
        migrations: [{ version: 1, name: '001_events' }],
        counts: { events: 1200, decisions: 500, outcomes: 480 },
        spool: { events: 0, bytes: 0 },
        health: [{ component: 'store', status: 'ok' }],
      },
    },
  },
});
export const postReplay = defineRoute({
  method: 'POST',
  path: '/api/v1/replay',
  role: 'admin',
  summary: 'Rebuild every projection from the event log (one transaction; appends wait for it)',
  tags: ['ops'],
  responses: { 200: { description: 'what was replayed', schema: z.object({ events: z.number().int(), ms: z.number() }), example: { events: 1200, ms: 840 } } },
});
const BackupQuery = z.object({ includeMasterKey: z.enum(['true', 'false']).default('false').describe('also the master key file, IN CLEAR') }).strict();
export const getBackup = defineRoute({
  method: 'GET',
  path: '/api/v1/backup',
  role: 'admin',
  summary: 'A backup of the event log, model artifacts and key metadata (what `apprentice backup` writes), streamed',
  description: 'gzip NDJSON with a sha256 trailer; the summary (events, artifacts, keys, bytes, sha256) is in the `x-apprentice-backup` header as JSON',
  tags: ['ops'],
  query: BackupQuery,
  examples: { query: { includeMasterKey: 'false' } },
  responses: { 200: { description: 'the backup file', contentType: 'application/gzip' } },
});
const ExportQuery = z
  .object({
    agent,
    k: z.coerce.number().int().min(2).max(1000).default(5),
    quasi: z.string().min(1).max(2000).describe('comma-separated quasi-identifier feature names'),
  })
  .strict();
export const getTrainingExport = defineRoute({
  method: 'GET',
  path: '/api/v1/export',
  role: 'admin',
  summary: 'Training rows (features and outcomes, never contexts), k-anonymous over the quasi-identifiers',
  tags: ['security'],
  query: ExportQuery,
  examples: { query: { agent: 'deployment-specialist', k: 5, quasi: 'team,region' } },
  responses: {
    200: {
      description: 'the rows, how many were suppressed, the generalisation levels',
      schema: z.object({ rows: z.array(z.looseObject({})), suppressed: z.number().int(), levels: z.looseObject({}) }),
    },
  },
});
export const getLineage = defineRoute({
  method: 'GET',
  path: '/api/v1/models/:agent/versions/:version/lineage',
  role: 'viewer',
  summary: 'What a model version was trained on: its record, training events and feature-spec hash',
  tags: ['models'],
  params: z.object({ agent, version: z.coerce.number().int().min(1) }),
  problems: ['NOT_FOUND'],
  examples: { params: { agent: 'deployment-specialist', version: '3' } },
  responses: { 200: { description: 'the lineage', schema: z.looseObject({}) } },
});

const TierBody = z
  .object({
    olderThanDays: z.number().int().min(1).max(36_500).optional().describe('default: config coldAfterDays'),
    lockTimeoutMs: z.number().int().min(1).max(600_000).optional().describe('longest wait for a partition lock at the drop; default 5000'),
    reason: z.string().min(1).max(1000).optional(),
  })
  .strict();
const Failed = z.object({ partition: z.string(), stage: z.enum(['write', 'verify', 'drop']), error: z.string() });
export const postTier = defineRoute({
  method: 'POST',
  path: '/api/v1/admin/tier',
  role: 'admin',
  summary: 'Cold tiering now (what `apprentice tier` does): partitions older than N days move to gzip NDJSON in the artifact store; each tiered partition is audited (EventPartitionTiered)',
  tags: ['ops'],
  body: TierBody.optional(),
  problems: ['CONFIG_INVALID'],
  examples: { body: { olderThanDays: 90, reason: 'quarterly tiering' } },
  responses: {
    200: {
      description: 'what was tiered; a failed partition is whole and a re-run finishes it',
      schema: z.object({ cutoff: z.string(), carved: z.array(z.string()), tiered: z.array(z.looseObject({ partition: z.string(), rows: z.number().int() })), failed: z.array(Failed) }),
      example: { cutoff: '2026-09-04T00:00:00.000Z', carved: [], tiered: [{ partition: 'events_202605', rows: 1200, keptHot: 3, chunks: 1, bytes: 52_000, manifestKey: 'sha256/…', sha256: '…', eventId: '…' }], failed: [] },
    },
  },
});

/** The routes above, over this process's store and artifact store (`tiering`: the service's job; without it the tier route answers CONFIG_INVALID). */
export function adminRoutes(a: Apprentice, artifacts: ArtifactStore, tiering?: TieringJob): RouteModule<ServerContext> {
  return (app) => {
    app.route(
      contractRoute(postTier, async (req) => {
        const body = parseInput(TierBody, req.body ?? {});
        if (tiering === undefined) throw new ConfigError('tiering needs the SQL event store');
        checkTierable(a.store.kind, artifacts);
        return tiering.run({ actor: requestActor(req), reason: body.reason, olderThanDays: body.olderThanDays, lockTimeoutMs: body.lockTimeoutMs });
      }),
    );
    app.route(
      contractRoute(getStatus, async () => {
        const [migrations, [counts], spool, health] = await Promise.all([
          a.store.query<{ version: number; name: string }>('SELECT version, name FROM apprentice_migrations ORDER BY version'),
          a.store.query<{ events: number; decisions: number; outcomes: number }>(
            `SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM decisions)::int AS decisions,
                    (SELECT count(*) FROM outcomes)::int AS outcomes`,
          ),
          a.spool.size(),
          a.health(),
        ]);
        return {
          instance: a.instanceId,
          store: a.store.kind,
          bus: a.config.redisUrl ? 'redis' : 'in-process',
          migrations: migrations.map((m) => ({ version: Number(m.version), name: m.name })),
          counts: counts ?? { events: 0, decisions: 0, outcomes: 0 },
          spool,
          health,
        };
      }),
    );
    app.route(contractRoute(postReplay, async () => a.store.replay()));
    app.route(
      contractRoute(getBackup, async (req, reply) => {
        const q = req.query as z.infer<typeof BackupQuery>;
        const dir = mkdtempSync(join(tmpdir(), 'apprentice-backup-'));
        const file = join(dir, 'backup.ndjson.gz');
        try {
          const summary = await writeBackup({ store: a.store, artifacts, dataDir: a.config.dataDir }, file, { includeMasterKey: q.includeMasterKey === 'true' });
          const body = createReadStream(file);
          // The temporary copy goes as soon as the answer is sent (or the client went away).
          body.once('close', () => rmSync(dir, { recursive: true, force: true }));
          return reply
            .header('content-type', 'application/gzip')
            .header('cache-control', 'no-store')
            .header('x-apprentice-backup', JSON.stringify(summary))
            .send(body);
        } catch (e) {
          rmSync(dir, { recursive: true, force: true });
          throw e;
        }
      }),
    );
    app.route(
      contractRoute(getTrainingExport, async (req) => {
        const q = req.query as z.infer<typeof ExportQuery>;
        const rows = await a.store.query<Record<string, unknown>>('SELECT * FROM decisions_with_outcomes WHERE agent = $1 ORDER BY decided_at', [q.agent]);
        const quasi = q.quasi.split(',').map((s) => s.trim()).filter(Boolean);
        const r = exportTraining(rows.map(trainingRow), { k: q.k, quasi });
        return { rows: r.rows, suppressed: r.suppressed, levels: r.levels };
      }),
    );
    app.route(
      contractRoute(getLineage, async (req) => {
        const p = req.params as { agent: string; version: number };
        return lineageOf(a.store, p.agent, p.version);
      }),
    );
  };
}
