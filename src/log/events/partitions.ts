import type { SqlClient, SqlExecutor } from './sql-client.js';

/**
 * Monthly partitions of `events` by UUIDv7 range. A UUIDv7 begins with its 48-bit
 * millisecond timestamp, so the month [start, end) is the id range
 * [uuid(start ms, zeros), uuid(end ms, zeros)). Partitions are created ahead of time;
 * anything outside lands in `events_default`.
 */
export function monthBounds(year: number, month0: number): { name: string; from: string; to: string } {
  const start = Date.UTC(year, month0, 1);
  const end = Date.UTC(year, month0 + 1, 1);
  const name = `events_${year}${String(month0 + 1).padStart(2, '0')}`;
  return { name, from: uuidFloor(start), to: uuidFloor(end) };
}

function uuidFloor(ms: number): string {
  const h = ms.toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-0000-0000-000000000000`;
}

/** Ensure partitions exist for this month and the next `ahead` months. */
export async function ensurePartitions(tx: SqlExecutor, now: Date = new Date(), ahead = 2): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i <= ahead; i++) {
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth() + i;
    const b = monthBounds(y + Math.floor(m / 12), m % 12);
    const exists = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relname = $1
      AND relnamespace = current_schema()::regnamespace`, [b.name]);
    if ((exists[0]?.n ?? 0) > 0) continue;
    // A range already holding rows in the default partition cannot be carved out; leave it there.
    const clash = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events_default WHERE id >= $1::uuid AND id < $2::uuid`,
      [b.from, b.to],
    );
    if ((clash[0]?.n ?? 0) > 0) continue;
    await tx.exec(`CREATE TABLE IF NOT EXISTS ${b.name} PARTITION OF events FOR VALUES FROM ('${b.from}') TO ('${b.to}')`);
    created.push(b.name);
  }
  return created;
}

/** Day number (ms since epoch / 86,400,000) of a UUIDv7's timestamp, in SQL. */
const ID_DAY = `(('x' || lpad(substr(replace(id::text, '-', ''), 1, 12), 16, '0'))::bit(64)::bigint / 86400000)`;

export interface CarveOptions {
  /** Months whose range ended at or before this time (ms) are carved. */
  readonly beforeMs: number;
  /** Only months where the default partition holds events of these types. */
  readonly types: readonly string[];
  /** Partition names already taken elsewhere (e.g. tiered segments of the same month): the carved one gets a suffix. */
  readonly taken?: ReadonlySet<string>;
  /** Longest wait for the locks, ms. Default 5000. */
  readonly lockTimeoutMs?: number;
}

/**
 * The default partition rule (issue 15). Events land in `events_default` when no dated partition
 * covers their id: written while no partition was created ahead (a service down across a month
 * end before `ensurePartitions` ran), or restored from an old backup. `ensurePartitions` cannot
 * create a partition over a range the default already holds rows of, so such a month would stay
 * in the default partition for ever, and never be tiered. This moves every month that ended
 * before `beforeMs` and has events of `types` in the default partition into its own dated
 * partition, in one transaction: detach the default, create a new empty default and the dated
 * partitions, insert the old default's rows through `events` (each lands in its partition, with
 * its position and transaction id unchanged), drop the old default. Appends wait for it (it
 * holds the table's lock): it runs only when such rows exist, which is rare.
 * Returns the partitions created.
 */
export async function carveDefaultPartition(db: SqlClient, o: CarveOptions): Promise<string[]> {
  const days = await db.query<{ day: string }>(`SELECT DISTINCT ${ID_DAY}::text AS day FROM events_default WHERE type = ANY($1::text[])`, [o.types]);
  const months = new Map<string, { name: string; from: string; to: string }>();
  for (const { day } of days) {
    const t = new Date(Number(day) * 86_400_000);
    const b = monthBounds(t.getUTCFullYear(), t.getUTCMonth());
    if (Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1) <= o.beforeMs) months.set(b.name, b);
  }
  if (months.size === 0) return [];
  const lockMs = Math.max(1, Math.floor(o.lockTimeoutMs ?? 5000));
  return db.transaction(async (tx) => {
    await tx.exec(`SET LOCAL lock_timeout = ${lockMs}`);
    await tx.exec(`ALTER TABLE events DETACH PARTITION events_default`);
    await tx.exec(`ALTER TABLE events_default RENAME TO events_default_carving`);
    await tx.exec(`CREATE TABLE events_default PARTITION OF events DEFAULT`);
    const created: string[] = [];
    for (const b of [...months.values()].sort((x, y) => (x.from < y.from ? -1 : 1))) {
      let name = b.name;
      for (let n = 2; o.taken?.has(name) || (await tx.query(`SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace`, [name])).length > 0; n++)
        name = `${b.name}_${n}`;
      await tx.exec(`CREATE TABLE ${name} PARTITION OF events FOR VALUES FROM ('${b.from}') TO ('${b.to}')`);
      created.push(name);
    }
    await tx.exec(`INSERT INTO events (position, transaction_id, id, type, stream, data, metadata, time)
      SELECT position, transaction_id, id, type, stream, data, metadata, time FROM events_default_carving`);
    await tx.exec(`DROP TABLE events_default_carving`);
    return created;
  });
}
