import type { SqlExecutor } from './sql-client.js';

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
