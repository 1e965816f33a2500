import { open, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { NewEvent } from '../core/index.js';
import { EventType } from '../core/index.js';
import { ValidationError } from '../core/index.js';
import type { SqlClient } from '../log/index.js';
import { controlEvent } from './control-event.js';

/** Data classes a retention policy can purge from the projections (never from `events`). */
export const DataClass = { decisions: 'decisions' } as const;
export type DataClass = (typeof DataClass)[keyof typeof DataClass];

export interface RetentionOptions {
  readonly db: SqlClient;
  readonly dataClass: DataClass;
  /** Rows older than this many days are archived and purged. */
  readonly olderThanDays: number;
  /** NDJSON archives go here (one file per run, mode 0600). */
  readonly archiveDir: string;
  readonly record: (event: NewEvent) => void;
  readonly actor: string;
  readonly reason?: string | undefined;
  /** Default now. */
  readonly now?: Date;
  /** Rows per batch. Default 1000. */
  readonly batchSize?: number;
}

export interface RetentionResult {
  readonly dataClass: DataClass;
  readonly cutoff: string;
  readonly purged: number;
  /** Archive file, or undefined when nothing was old enough. */
  readonly archive: string | undefined;
}

/**
 * Retention job: decisions (with their outcomes) decided before `now - olderThanDays` are
 * appended to an NDJSON archive (contexts stay encrypted), then deleted from the `decisions`
 * and `outcomes` projections batch by batch (archive fsynced before each delete). The event
 * log is untouched (append-only; erasure there is crypto-shredding). Records `RetentionApplied`.
 * @example
 * await applyRetention({ db: store.client, dataClass: 'decisions', olderThanDays: 90, archiveDir, record, actor: 'retention-job' });
 */
export async function applyRetention(o: RetentionOptions): Promise<RetentionResult> {
  if (!Number.isInteger(o.olderThanDays) || o.olderThanDays < 1)
    throw new ValidationError('invalid retention', [
      { path: 'olderThanDays', message: 'must be an integer ≥ 1' },
    ]);
  const now = o.now ?? new Date();
  const cutoff = new Date(now.getTime() - o.olderThanDays * 86_400_000).toISOString();
  const batch = o.batchSize ?? 1000;
  let purged = 0;
  let archive: string | undefined;
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    for (;;) {
      const rows = await o.db.query<Record<string, unknown>>(
        `SELECT * FROM decisions_with_outcomes WHERE decided_at < $1 ORDER BY decided_at, decision_id LIMIT ${batch}`,
        [cutoff],
      );
      if (rows.length === 0) break;
      if (fh === undefined) {
        await mkdir(o.archiveDir, { recursive: true, mode: 0o700 });
        archive = join(o.archiveDir, `${o.dataClass}-${now.toISOString().replace(/[:.]/g, '-')}.ndjson`);
        fh = await open(archive, 'a', 0o600);
      }
      await fh.writeFile(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
      await fh.sync();
      const ids = rows.map((r) => String(r.decision_id));
      await o.db.transaction(async (tx) => {
        await tx.query('DELETE FROM outcomes WHERE decision_id = ANY($1::uuid[])', [ids]);
        await tx.query('DELETE FROM decisions WHERE decision_id = ANY($1::uuid[])', [ids]);
      });
      purged += rows.length;
      if (rows.length < batch) break;
    }
  } finally {
    await fh?.close();
  }
  o.record(
    controlEvent(
      EventType.RetentionApplied,
      `retention-${o.dataClass}`,
      { dataClass: o.dataClass, olderThanDays: o.olderThanDays, cutoff, purged, archive: archive ?? null },
      { actor: o.actor, reason: o.reason },
      now,
    ),
  );
  return { dataClass: o.dataClass, cutoff, purged, archive };
}
