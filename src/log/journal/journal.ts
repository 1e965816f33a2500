import { closeSync, fdatasync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { NewEvent } from '../../core/index.js';
import { decodeSpoolLine, encodeSpoolLine } from '../bus/spool.js';
import { lockDataDir } from '../events/data-dir-lock.js';

/** How far an acknowledged event is kept before the event store holds it (DESIGN.md §7). */
export type Durability = 'memory' | 'local' | 'fsync';

export interface JournalOptions {
  /** Directory of the segment files (created if missing). */
  readonly dir: string;
  /** `local`: one write(2) per event (survives a process crash). `fsync`: plus group commit. */
  readonly durability: Exclude<Durability, 'memory'>;
  /** Start a new segment after this many bytes. Default 8 MiB. */
  readonly segmentBytes?: number;
}

export interface JournalStats {
  readonly segments: number;
  /** Events written and not yet confirmed stored. */
  readonly unconfirmed: number;
  readonly bytes: number;
}

const SEGMENT_RE = /^journal-(\d{12})\.ndjson$/;
const segmentName = (n: number): string => `journal-${String(n).padStart(12, '0')}.ndjson`;

/**
 * The local append-only log behind `durability: 'local' | 'fsync'`: every recorded event is
 * written here before `record` returns, and stays until the event store holds it.
 * Hand-written because the hot path needs a synchronous `write(2)` with no allocation beyond
 * the line itself, and the crash semantics are the point:
 *
 * - One line per event in the spool's format (`<crc32> 1 <json>`): a line torn by a crash fails
 *   its checksum and is skipped at recovery.
 * - Segments of `segmentBytes`; a segment is deleted once every event in it was confirmed
 *   stored (`confirm`). The active segment is never deleted, only rotated.
 * - `fsync` mode: `durable()` resolves after an `fdatasync` that covers every write made before
 *   it was called. One sync runs at a time; callers arriving meanwhile share the next one
 *   (group commit).
 * - `open` returns the events of segments left by a previous run: the caller resends them
 *   (the event store is idempotent by event id) and confirms them like new ones.
 */
export class Journal {
  readonly #dir: string;
  readonly #mode: Exclude<Durability, 'memory'>;
  readonly #segmentBytes: number;
  #fd = -1;
  #segment = 0;
  #bytes = 0;
  /** Bytes of each segment file. */
  readonly #size = new Map<number, number>();
  /** Unconfirmed events per segment. */
  readonly #remaining = new Map<number, number>();
  /** Segment of each unconfirmed event. */
  readonly #segmentOf = new Map<string, number>();
  #syncing: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #closed = false;
  #unlock: () => void = () => undefined;

  private constructor(options: JournalOptions) {
    this.#dir = options.dir;
    this.#mode = options.durability;
    this.#segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
  }

  /** Open the journal; returns it and the events a previous run left unconfirmed, oldest first. */
  static open(options: JournalOptions): { journal: Journal; recovered: NewEvent[] } {
    const j = new Journal(options);
    mkdirSync(j.#dir, { recursive: true });
    // Two live processes on one journal would resend and delete each other's segments.
    j.#unlock = lockDataDir(j.#dir, 'the decision journal');
    const recovered: NewEvent[] = [];
    const old = readdirSync(j.#dir)
      .map((f) => SEGMENT_RE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const n of old) {
      const text = readFileSync(join(j.#dir, segmentName(n)), 'utf8');
      let count = 0;
      for (const line of text.split('\n')) {
        if (line === '') continue;
        for (const e of decodeSpoolLine(line) ?? []) {
          if (j.#segmentOf.has(e.id)) continue;
          j.#segmentOf.set(e.id, n);
          recovered.push(e);
          count++;
        }
      }
      if (count === 0) unlinkSync(join(j.#dir, segmentName(n)));
      else {
        j.#remaining.set(n, count);
        j.#size.set(n, Buffer.byteLength(text));
      }
    }
    j.#segment = (old.at(-1) ?? 0) + 1;
    j.#openSegment();
    return { journal: j, recovered };
  }

  get durability(): Exclude<Durability, 'memory'> {
    return this.#mode;
  }

  /** Write one event (synchronous: it is in the OS before this returns). */
  append(event: NewEvent): void {
    if (this.#closed) return;
    const line = encodeSpoolLine([event]);
    const written = writeSync(this.#fd, line);
    this.#bytes += written;
    this.#size.set(this.#segment, this.#bytes);
    this.#segmentOf.set(event.id, this.#segment);
    this.#remaining.set(this.#segment, (this.#remaining.get(this.#segment) ?? 0) + 1);
    if (this.#bytes >= this.#segmentBytes) this.#rotate();
  }

  /** Resolves once everything written so far is on stable storage (`fsync` mode), at once otherwise. */
  durable(): Promise<void> {
    if (this.#mode !== 'fsync' || this.#closed) return Promise.resolve();
    if (!this.#syncing) {
      this.#syncing = this.#sync().finally(() => {
        this.#syncing = undefined;
      });
      return this.#syncing;
    }
    // A sync is running and may have started before our write: share the next one.
    this.#next ??= this.#syncing.then(() => {
      this.#next = undefined;
      return this.durable();
    });
    return this.#next;
  }

  /** The event store holds these events: forget them, delete fully confirmed segments. */
  confirm(ids: Iterable<string>): void {
    for (const id of ids) {
      const n = this.#segmentOf.get(id);
      if (n === undefined) continue;
      this.#segmentOf.delete(id);
      const left = (this.#remaining.get(n) ?? 1) - 1;
      if (left > 0) {
        this.#remaining.set(n, left);
        continue;
      }
      this.#remaining.delete(n);
      if (n !== this.#segment) this.#unlink(n);
    }
  }

  stats(): JournalStats {
    let bytes = 0;
    for (const b of this.#size.values()) bytes += b;
    return { segments: this.#size.size, unconfirmed: this.#segmentOf.size, bytes };
  }

  /** Sync (fsync mode) and close the file. Unconfirmed events stay for the next `open`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#mode === 'fsync') fsyncSync(this.#fd);
    closeSync(this.#fd);
    if (!this.#remaining.has(this.#segment)) this.#unlink(this.#segment);
    this.#unlock();
  }

  #sync(): Promise<void> {
    const fd = this.#fd;
    return new Promise<void>((resolve, reject) =>
      // EBADF: the segment was rotated (synced and closed) meanwhile, so its writes are safe.
      fdatasync(fd, (err) => (err && err.code !== 'EBADF' ? reject(err) : resolve())),
    );
  }

  #openSegment(): void {
    this.#fd = openSync(join(this.#dir, segmentName(this.#segment)), 'a');
    this.#bytes = 0;
  }

  #rotate(): void {
    const old = this.#segment;
    // fsync mode: the old segment is synced before its descriptor is closed.
    if (this.#mode === 'fsync') fsyncSync(this.#fd);
    closeSync(this.#fd);
    this.#segment++;
    this.#openSegment();
    if (!this.#remaining.has(old)) this.#unlink(old);
  }

  #unlink(n: number): void {
    this.#size.delete(n);
    try {
      unlinkSync(join(this.#dir, segmentName(n)));
    } catch {
      // already gone
    }
  }
}
