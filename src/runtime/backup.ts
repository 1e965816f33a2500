import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { ConflictError, IntegrityError, ValidationError, type NewEvent } from '../core/index.js';
import type { ArtifactStore } from '../learning/index.js';
import { START, type Cursor, type EventStore } from '../log/index.js';
import { coldArtifactKeys, coldEvents } from './tiering.js';

/** The backup file format (gzip'd NDJSON); bumped on an incompatible change. */
export const BACKUP_FORMAT = 'apprentice-backup';
export const BACKUP_VERSION = 1;

/**
 * One line of a backup. The header says what wrote it; `event` lines are the immutable log in
 * global order; `artifact` lines the model artifacts (base64); `key` lines the subjects' data
 * keys as stored (wrapped by a master key, never in clear) and, only when asked for, the master
 * key file; the trailer counts everything and carries the sha256 of every line before it.
 */
type BackupLine =
  | { readonly t: 'header'; readonly format: string; readonly version: number; readonly schemaVersion: number; readonly createdAt: string; readonly masterKeyIncluded: boolean }
  | { readonly t: 'event'; readonly e: NewEvent }
  | { readonly t: 'artifact'; readonly key: string; readonly b64: string }
  | { readonly t: 'key'; readonly path: string; readonly content: string }
  | { readonly t: 'end'; readonly events: number; readonly artifacts: number; readonly keys: number; readonly sha256: string };

export interface BackupSources {
  readonly store: EventStore;
  readonly artifacts: ArtifactStore;
  /** The data directory whose `keys/` hold the subject keys (and the master key file). */
  readonly dataDir: string;
}

export interface BackupOptions {
  /** Also write `keys/master.json` in clear. Default false: the backup is useless without the master key kept elsewhere. */
  readonly includeMasterKey?: boolean;
  /** Called as events are written: (events so far). */
  readonly onProgress?: (events: number) => void;
  /** Events read per page. Default 5000. */
  readonly pageSize?: number;
}

export interface BackupSummary {
  readonly events: number;
  readonly artifacts: number;
  readonly keys: number;
  readonly bytes: number;
  readonly sha256: string;
}

const subjectKeysDir = (dataDir: string): string => join(resolve(dataDir), 'keys', 'subjects');
const masterKeyPath = (dataDir: string): string => join(resolve(dataDir), 'keys', 'master.json');

async function schemaVersion(store: EventStore): Promise<number> {
  const rows = await store.query<{ v: number | null }>('SELECT max(version) AS v FROM apprentice_migrations');
  return Number(rows[0]?.v ?? 0);
}

/**
 * Streams a backup of the event log, the model artifacts and the key metadata to `file`
 * (gzip'd NDJSON, written to a temporary name and renamed when complete). Reads the log page by
 * page, so memory stays flat whatever its size. Erasure holds on a restore: a subject erased
 * before the backup has no key in it, so its contexts stay unreadable.
 * @example
 * await writeBackup({ store: a.store, artifacts, dataDir: a.config.dataDir }, 'backup.ndjson.gz');
 */
export async function writeBackup(src: BackupSources, file: string, options: BackupOptions = {}): Promise<BackupSummary> {
  const hash = createHash('sha256');
  const counts = { events: 0, artifacts: 0, keys: 0 };
  const pageSize = options.pageSize ?? 5000;
  const version = await schemaVersion(src.store);
  async function* lines(): AsyncGenerator<string> {
    const emit = (l: BackupLine): string => {
      const s = `${JSON.stringify(l)}\n`;
      if (l.t !== 'end') hash.update(s);
      return s;
    };
    yield emit({ t: 'header', format: BACKUP_FORMAT, version: BACKUP_VERSION, schemaVersion: version, createdAt: new Date().toISOString(), masterKeyIncluded: options.includeMasterKey === true });
    // Tiered events (cold segments in the artifact store) first, as events: a restore puts them
    // back in the log; their chunks are not copied again as artifacts below.
    const coldKeys = await coldArtifactKeys(src.store);
    for await (const batch of coldEvents(src.store, src.artifacts)) {
      let chunk = '';
      for (const e of batch) {
        counts.events++;
        chunk += emit({ t: 'event', e: { id: e.id, type: e.type, stream: e.stream, data: e.data, metadata: e.metadata, time: e.time } });
      }
      if (chunk !== '') yield chunk;
      options.onProgress?.(counts.events);
    }
    let after: Cursor = START;
    for (;;) {
      const page = await src.store.readAll({ after, limit: pageSize });
      // One chunk per page, not per event: per-event chunks made the backup about twice as slow (bench fleet).
      let chunk = '';
      for (const e of page) {
        counts.events++;
        chunk += emit({ t: 'event', e: { id: e.id, type: e.type, stream: e.stream, data: e.data, metadata: e.metadata, time: e.time } });
      }
      if (chunk !== '') yield chunk;
      options.onProgress?.(counts.events);
      const last = page[page.length - 1];
      if (!last || page.length < pageSize) break;
      after = { transactionId: last.transactionId, position: last.position };
    }
    for await (const key of src.artifacts.list()) {
      if (coldKeys.has(key)) continue;
      counts.artifacts++;
      yield emit({ t: 'artifact', key, b64: Buffer.from(await src.artifacts.get(key)).toString('base64') });
    }
    const names = (await readdir(subjectKeysDir(src.dataDir)).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
    for (const n of names) {
      counts.keys++;
      yield emit({ t: 'key', path: `keys/subjects/${n}`, content: await readFile(join(subjectKeysDir(src.dataDir), n), 'utf8') });
    }
    if (options.includeMasterKey) {
      const content = await readFile(masterKeyPath(src.dataDir), 'utf8').catch(() => undefined);
      if (content !== undefined) {
        counts.keys++;
        yield emit({ t: 'key', path: 'keys/master.json', content });
      }
    }
    yield emit({ t: 'end', ...counts, sha256: hash.copy().digest('hex') });
  }
  const tmp = `${file}.${process.pid}.tmp`;
  await mkdir(dirname(resolve(file)), { recursive: true });
  const out = createWriteStream(tmp, { mode: 0o600 });
  await pipeline(Readable.from(lines()), createGzip(), out);
  const bytes = out.bytesWritten;
  await rename(tmp, file);
  return { ...counts, bytes, sha256: hash.digest('hex') };
}

async function* readLines(file: string): AsyncGenerator<{ line: BackupLine; raw: string }> {
  for await (const raw of readRawLines(file)) yield { line: JSON.parse(raw) as BackupLine, raw: `${raw}\n` };
}

async function* readRawLines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const raw of rl) if (raw !== '') yield raw;
}

/** How `writeBackup` starts an event line (`t` is its first key): verify counts these without parsing them. */
const EVENT_LINE = '{"t":"event",';

/** Reads the whole file once and checks the header, the trailer's counts and its sha256. */
export async function verifyBackup(file: string): Promise<Extract<BackupLine, { t: 'end' }> & { schemaVersion: number }> {
  const hash = createHash('sha256');
  const counts = { events: 0, artifacts: 0, keys: 0 };
  let header: Extract<BackupLine, { t: 'header' }> | undefined;
  let end: Extract<BackupLine, { t: 'end' }> | undefined;
  try {
    for await (const text of readRawLines(file)) {
      if (end) throw new IntegrityError(`backup ${file} has data after its trailer`);
      const raw = `${text}\n`;
      // Event lines are hashed and counted unparsed (the restore parses them); the checksum
      // covers their bytes all the same.
      if (text.startsWith(EVENT_LINE)) {
        hash.update(raw);
        counts.events++;
        continue;
      }
      const line = JSON.parse(text) as BackupLine;
      if (line.t === 'end') {
        end = line;
        continue;
      }
      hash.update(raw);
      if (line.t === 'header') header = line;
      else if (line.t === 'event') counts.events++;
      else if (line.t === 'artifact') counts.artifacts++;
      else if (line.t === 'key') counts.keys++;
    }
  } catch (e) {
    if (e instanceof IntegrityError) throw e;
    throw new IntegrityError(`backup ${file} is not readable: ${(e as Error).message}`, { cause: e });
  }
  if (header?.format !== BACKUP_FORMAT || header.version !== BACKUP_VERSION) throw new ValidationError(`${file} is not an apprentice backup (version ${BACKUP_VERSION})`, [{ path: 'in', message: 'unknown format' }]);
  if (!end) throw new IntegrityError(`backup ${file} is truncated: no trailer`);
  const digest = hash.digest('hex');
  if (digest !== end.sha256 || end.events !== counts.events || end.artifacts !== counts.artifacts || end.keys !== counts.keys) {
    throw new IntegrityError(`backup ${file} failed its checksum: sha256 ${digest} vs ${end.sha256}, ${counts.events}/${end.events} events`);
  }
  return { ...end, schemaVersion: header.schemaVersion };
}

export interface RestoreOptions {
  readonly onProgress?: (events: number, total: number) => void;
  /** Events appended per batch. Default 2000, or 10,000 without projections (bulk-loaded). */
  readonly batchSize?: number;
  /**
   * Build the projections while appending (default true). `false` only inserts the events: the
   * caller must run `store.replay()` afterwards (as `apprentice restore` does), which builds every
   * projection once, set-based, instead of twice (on append, then again on replay).
   */
  readonly projections?: boolean;
}

/**
 * Restores a backup into an EMPTY store (refused otherwise, code `CONFLICT`): the file is
 * verified first (checksum, counts, format), then events are appended in order, in batches
 * (idempotent by id, projections applied as on the live path), artifacts put back, and key
 * files written under `dataDir/keys/` (mode 0600). Run `apprentice replay` afterwards to rebuild
 * every projection from the restored log.
 */
export async function restoreBackup(target: BackupSources, file: string, options: RestoreOptions = {}): Promise<BackupSummary> {
  const end = await verifyBackup(file);
  const current = await schemaVersion(target.store);
  if (current < end.schemaVersion) throw new ConflictError(`the target schema (version ${current}) is older than the backup's (${end.schemaVersion}): run apprentice migrate`);
  if ((await target.store.readAll({ limit: 1 })).length > 0) throw new ConflictError('restore needs an empty event store: this one holds events');
  const projections = options.projections !== false;
  const batchSize = options.batchSize ?? (projections ? 2000 : 10_000);
  let batch: NewEvent[] = [];
  let events = 0;
  // One batch is written while the next is read and parsed (at most one in flight, so the
  // batches land in the file's order).
  let inflight: Promise<void> = Promise.resolve();
  const write = async (b: NewEvent[]): Promise<void> => {
    // Without projections the events are bulk-loaded (COPY on PostgreSQL); `replay` builds them after.
    await target.store.append(b, projections ? {} : { projections: false, copy: true });
    events += b.length;
    options.onProgress?.(events, end.events);
  };
  const flush = async (wait: boolean): Promise<void> => {
    if (batch.length > 0) {
      await inflight;
      inflight = write(batch);
      inflight.catch(() => undefined); // awaited below or at the next flush
      batch = [];
    }
    if (wait) await inflight;
  };
  for await (const { line } of readLines(file)) {
    if (line.t === 'event') {
      batch.push(line.e);
      if (batch.length >= batchSize) await flush(false);
    } else if (line.t === 'artifact') {
      await flush(true);
      const stored = await target.artifacts.put(Buffer.from(line.b64, 'base64'));
      if (stored.key !== line.key) throw new IntegrityError(`artifact ${line.key} restored as ${stored.key}: its bytes changed`);
    } else if (line.t === 'key') {
      if (!/^keys\/(master\.json|subjects\/[0-9a-f]{1,128}\.json)$/.test(line.path)) throw new IntegrityError(`backup key path ${line.path.slice(0, 80)} is not a key file`);
      const path = join(resolve(target.dataDir), line.path);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, line.content, { mode: 0o600 });
    }
  }
  await flush(true);
  return { events, artifacts: end.artifacts, keys: end.keys, bytes: (await stat(file)).size, sha256: end.sha256 };
}
