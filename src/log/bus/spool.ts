import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { crc32 } from 'node:zlib';
import type { NewEvent } from '../../core/index.js';

export interface SpoolOptions {
  /** Directory of the spool files (created if missing). */
  readonly dir: string;
  /** fsync every append before it resolves (survives power loss, not just a crash). Default false. */
  readonly fsync?: boolean;
  /**
   * Most events a replay publishes at once: consecutive spooled batches are joined up to this
   * many (a batch is never split), and progress is noted once per publish. Default 500.
   */
  readonly replayEvents?: number;
}

export interface SpoolSize {
  readonly batches: number;
  readonly events: number;
  /** Bytes of the spool files on disk (including batches already replayed from a file being drained). */
  readonly bytes: number;
}

export interface DrainResult {
  readonly batches: number;
  readonly events: number;
  /** Lines that failed their checksum (a torn write after a crash) and were dropped. */
  readonly skipped: number;
}

/** Batches that could not be published, kept on local disk until the bus is back. */
export interface Spool {
  append(events: readonly NewEvent[]): Promise<void>;
  size(): Promise<SpoolSize>;
  /**
   * Replay every spooled batch, oldest first, through `publish`. A batch leaves the spool only
   * after `publish` resolved. If `publish` rejects, draining stops, the rest stays spooled and
   * the error is rethrown. Concurrent calls share one drain.
   */
  drain(publish: (events: readonly NewEvent[]) => Promise<void>): Promise<DrainResult>;
}

const ACTIVE = 'spool.ndjson';
const DRAINING = 'spool.draining.ndjson';
const PROGRESS = 'spool.draining.pos';

/** One line: `<crc32 hex> <event count> <JSON array>`; the checksum covers the JSON text. */
export function encodeSpoolLine(events: readonly NewEvent[]): string {
  const json = JSON.stringify(events);
  return `${crc32(json).toString(16).padStart(8, '0')} ${events.length} ${json}\n`;
}

/** The line's header, or undefined if the line is torn or corrupt. Parses no JSON. */
function header(line: string): { crc: string; count: number; json: string } | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  if (a !== 8 || b < 0) return undefined;
  const count = Number(line.slice(a + 1, b));
  return Number.isInteger(count) ? { crc: line.slice(0, a), count, json: line.slice(b + 1) } : undefined;
}

/** The line's header if its checksum matches. */
function checkedHeader(line: string): { count: number; json: string } | undefined {
  const h = header(line);
  return h && crc32(h.json).toString(16).padStart(8, '0') === h.crc ? h : undefined;
}

/** The events of a spool line, or undefined if the checksum does not match. */
export function decodeSpoolLine(line: string): NewEvent[] | undefined {
  const h = checkedHeader(line);
  if (!h) return undefined;
  try {
    const events: unknown = JSON.parse(h.json);
    return Array.isArray(events) && events.length === h.count ? (events as NewEvent[]) : undefined;
  } catch {
    return undefined;
  }
}

async function* lines(path: string): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) if (line !== '') yield line;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  } finally {
    stream.destroy();
  }
}

const exists = (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * A local append-only spool for batches the bus could not take (Redis down). Hand-written
 * because it is small and its crash guarantees are the point:
 *
 * - `append` writes one NDJSON line per batch with a CRC-32 of its payload. A line torn by a
 *   crash fails its checksum and is skipped on replay; the next append after a restart first
 *   ends the torn line so it cannot swallow the new batch.
 * - `drain` renames the spool file to `spool.draining.ndjson` (new appends start a fresh file),
 *   replays it in order and deletes it only after the last batch was published. Progress is
 *   noted after each batch in `spool.draining.pos`, so a restart resumes where it left off.
 * - Delivery is at-least-once: a crash between `publish` and noting progress replays that batch.
 *   That is fine because downstream (the event store) is idempotent by event id.
 *
 * @example
 * ```ts
 * const spool = createSpool({ dir: '.apprentice/spool' });
 * try { await bus.publish('decisions', batch); } catch { await spool.append(batch); }
 * // later, once the bus answers again:
 * await spool.drain((events) => bus.publish('decisions', events));
 * ```
 */
export function createSpool(options: SpoolOptions): Spool {
  const active = join(options.dir, ACTIVE);
  const draining = join(options.dir, DRAINING);
  const progress = join(options.dir, PROGRESS);
  const replayEvents = options.replayEvents ?? 500;
  let ready: Promise<void> | undefined;
  let tailChecked = false;
  let queue: Promise<unknown> = Promise.resolve();
  let drainRun: Promise<DrainResult> | undefined;

  /** Serialise appends with the rename in `drain`, so no append lands in a file being drained. */
  const locked = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const init = (): Promise<void> => (ready ??= mkdir(options.dir, { recursive: true }).then(() => undefined));

  /** If the last append was torn (crash, full disk), terminate that line before appending. */
  const endTornLine = async (): Promise<void> => {
    if (tailChecked) return;
    const file = await open(active, 'a+').catch(() => undefined);
    if (file) {
      try {
        const { size } = await file.stat();
        const last = Buffer.alloc(1);
        if (size > 0 && (await file.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a) {
          await file.appendFile('\n');
        }
      } finally {
        await file.close();
      }
    }
    tailChecked = true;
  };

  const readProgress = async (): Promise<number> => {
    const n = Number(await readFile(progress, 'utf8').catch(() => '0'));
    return Number.isInteger(n) && n > 0 ? n : 0;
  };

  const replay = async (
    publish: (events: readonly NewEvent[]) => Promise<void>,
    totals: { batches: number; events: number; skipped: number },
  ): Promise<void> => {
    const done = await readProgress();
    let index = 0;
    // Consecutive lines are published together (up to `replayEvents` events), and progress is
    // noted once per publish: one bus round trip and one file write per line made the replay
    // of small batches (a few events each) run at ~500 events/s, slower than decisions arrive.
    let group: NewEvent[] = [];
    let groupLines = 0;
    let groupEnd = done; // the last line (by index) the group holds
    const publishGroup = async (): Promise<void> => {
      if (groupLines === 0) return;
      await publish(group);
      totals.batches += groupLines;
      totals.events += group.length;
      await writeFile(progress, String(groupEnd));
      group = [];
      groupLines = 0;
    };
    for await (const line of lines(draining)) {
      index++;
      if (index <= done) continue;
      const events = decodeSpoolLine(line);
      if (events === undefined) {
        totals.skipped++;
        continue;
      }
      if (group.length > 0 && group.length + events.length > replayEvents) await publishGroup();
      group.push(...events);
      groupLines++;
      groupEnd = index;
    }
    await publishGroup();
    await unlink(draining).catch(() => undefined);
    await unlink(progress).catch(() => undefined);
  };

  const drainOnce = async (publish: (events: readonly NewEvent[]) => Promise<void>): Promise<DrainResult> => {
    await init();
    const totals = { batches: 0, events: 0, skipped: 0 };
    // A file left by an interrupted drain is older than the active one: finish it first.
    if (await exists(draining)) await replay(publish, totals);
    const moved = await locked(async () => {
      if (!(await exists(active))) return false;
      await rename(active, draining);
      await unlink(progress).catch(() => undefined);
      tailChecked = false;
      return true;
    });
    if (moved) await replay(publish, totals);
    return totals;
  };

  return {
    append: (events) =>
      locked(async () => {
        if (events.length === 0) return;
        await init();
        await endTornLine();
        try {
          await appendFile(active, encodeSpoolLine(events), { flush: options.fsync ?? false });
        } catch (err) {
          tailChecked = false;
          throw err;
        }
      }),

    size: () =>
      locked(async () => {
        let batches = 0;
        let events = 0;
        let bytes = 0;
        for (const [path, skip] of [
          [draining, await readProgress()],
          [active, 0],
        ] as const) {
          bytes += await stat(path).then(
            (s) => s.size,
            () => 0,
          );
          let index = 0;
          for await (const line of lines(path)) {
            if (++index <= skip) continue;
            const h = checkedHeader(line);
            if (!h) continue;
            batches++;
            events += h.count;
          }
        }
        return { batches, events, bytes };
      }),

    drain(publish) {
      drainRun ??= drainOnce(publish).finally(() => {
        drainRun = undefined;
      });
      return drainRun;
    },
  };
}
