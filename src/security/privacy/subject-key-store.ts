import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createFileExclusive, syncDir, writeFileAtomic } from './internal/atomic-file.js';

/** A subject's data key as stored: wrapped by a master key, never in clear. */
export interface StoredSubjectKey {
  readonly v: 1;
  /** Master key id that wrapped it. */
  readonly kid: string;
  /** Base64 of iv | tag | wrapped key. */
  readonly wk: string;
  readonly createdAt: string;
}

/**
 * Where per-subject keys live: OUTSIDE the event database, so that deleting a key here
 * shreds every copy of the subject's ciphertext (backups of the database included).
 * Keys are addressed by `ref`, a hash of the subject id (hex, safe as a file name).
 */
export interface SubjectKeyStore {
  get(ref: string): Promise<StoredSubjectKey | undefined>;
  /** Stores `key` unless a key exists for `ref`; returns the key that is stored (the winner). */
  createIfAbsent(ref: string, key: StoredSubjectKey): Promise<StoredSubjectKey>;
  /** Replaces an existing key (re-wrap after a rotation). */
  replace(ref: string, key: StoredSubjectKey): Promise<void>;
  /** Destroys the key durably. Returns false when there was none. */
  delete(ref: string): Promise<boolean>;
}

/** In-process store, for tests and embedded use without persistence. */
export function createMemorySubjectKeyStore(): SubjectKeyStore {
  const keys = new Map<string, StoredSubjectKey>();
  return {
    get: async (ref) => keys.get(ref),
    async createIfAbsent(ref, key) {
      const existing = keys.get(ref);
      if (existing !== undefined) return existing;
      keys.set(ref, key);
      return key;
    },
    async replace(ref, key) {
      keys.set(ref, key);
    },
    delete: async (ref) => keys.delete(ref),
  };
}

const REF_RE = /^[0-9a-f]{16,128}$/;

function checkRef(ref: string): string {
  // refs are hex digests; anything else could escape the directory
  if (!REF_RE.test(ref)) throw new Error(`invalid subject key ref ${JSON.stringify(ref.slice(0, 40))}`);
  return ref;
}

const isStoredKey = (x: unknown): x is StoredSubjectKey =>
  typeof x === 'object' &&
  x !== null &&
  (x as { v?: unknown }).v === 1 &&
  typeof (x as { kid?: unknown }).kid === 'string' &&
  typeof (x as { wk?: unknown }).wk === 'string';

/**
 * One file per subject (`<dir>/<ref>.json`, mode 0600). Creation is atomic and never
 * overwrites (temp file + hard link); replacement is temp file + rename; deletion unlinks
 * and fsyncs the directory.
 * @example
 * const store = createFileSubjectKeyStore('/var/lib/apprentice/subject-keys');
 */
export function createFileSubjectKeyStore(dir: string): SubjectKeyStore {
  const pathOf = (ref: string): string => join(dir, `${checkRef(ref)}.json`);
  const get = async (ref: string): Promise<StoredSubjectKey | undefined> => {
    let text: string;
    try {
      text = await readFile(pathOf(ref), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const parsed: unknown = JSON.parse(text);
    if (!isStoredKey(parsed)) throw new Error(`subject key file ${pathOf(ref)} is malformed`);
    return parsed;
  };
  return {
    get,
    async createIfAbsent(ref, key) {
      if (await createFileExclusive(pathOf(ref), JSON.stringify(key))) return key;
      const winner = await get(ref);
      if (winner === undefined) throw new Error(`subject key ${ref} vanished while being created`);
      return winner;
    },
    async replace(ref, key) {
      await writeFileAtomic(pathOf(ref), JSON.stringify(key));
    },
    async delete(ref) {
      try {
        await unlink(pathOf(ref));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw e;
      }
      await syncDir(dir);
      return true;
    },
  };
}
