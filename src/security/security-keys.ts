import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../core/index.js';
import { uuidv7 } from '../core/index.js';
import {
  createKeyring,
  KEY_BYTES,
  loadKeyring,
  loadKeyringFile,
  saveKeyringFile,
  type Keyring,
} from './privacy/keyring.js';
import { createFileSubjectKeyStore, type SubjectKeyStore } from './privacy/subject-key-store.js';

/** Where the master keys came from. Only `file` keyrings can be rotated by apprentice. */
export type KeySource = 'env' | 'env-file' | 'file' | 'created';

export interface SecurityKeys {
  readonly keyring: Keyring;
  readonly source: KeySource;
  /** The key file (for `file`, `env-file` and `created`). */
  readonly file: string | undefined;
  /** Keyed hashes (redactor `hash` action, subject references). Derived from the first master key. */
  readonly hmacKey: Buffer;
  /** Per-subject data keys, one file each under `<dataDir>/keys/subjects/`: outside the database. */
  readonly subjectKeys: SubjectKeyStore;
}

export interface LoadKeysOptions {
  /** apprentice's data directory; keys live in `<dataDir>/keys/`. */
  readonly dataDir: string;
  /** Default `process.env` (`APPRENTICE_MASTER_KEY_FILE`, `APPRENTICE_MASTER_KEY`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Create `keys/master.json` when no key is configured. Default true. */
  readonly create?: boolean;
}

export const masterKeyFile = (dataDir: string): string => join(resolve(dataDir), 'keys', 'master.json');
export const subjectKeyDir = (dataDir: string): string => join(resolve(dataDir), 'keys', 'subjects');

/**
 * HMAC key for keyed hashes, derived (HKDF-SHA256) from the FIRST master key so it stays
 * stable across rotations; never stored anywhere.
 */
export function deriveHmacKey(keyring: Keyring): Buffer {
  const first = keyring.get(keyring.ids()[0]!);
  return Buffer.from(hkdfSync('sha256', first.key, Buffer.alloc(0), 'apprentice/hmac/v1', 32));
}

/**
 * The master keys, from (in order) `APPRENTICE_MASTER_KEY_FILE`, `APPRENTICE_MASTER_KEY`,
 * `<dataDir>/keys/master.json`; when none exists, a new key file is created (mode 0600 in a
 * 0700 directory). Keys are never written to the database.
 * @example
 * const keys = await loadSecurityKeys({ dataDir: '.apprentice' });
 */
export async function loadSecurityKeys(options: LoadKeysOptions): Promise<SecurityKeys> {
  const env = options.env ?? process.env;
  const file = masterKeyFile(options.dataDir);
  let keyring: Keyring;
  let source: KeySource;
  let keyFile: string | undefined;
  const envFile = env['APPRENTICE_MASTER_KEY_FILE'];
  if (envFile !== undefined && envFile !== '') {
    keyring = loadKeyringFile(envFile);
    source = 'env-file';
    keyFile = envFile;
  } else if (env['APPRENTICE_MASTER_KEY'] !== undefined && env['APPRENTICE_MASTER_KEY'] !== '') {
    keyring = loadKeyring({ env: { APPRENTICE_MASTER_KEY: env['APPRENTICE_MASTER_KEY'] } });
    source = 'env';
  } else if (existsSync(file)) {
    keyring = loadKeyringFile(file);
    source = 'file';
    keyFile = file;
  } else {
    if (options.create === false)
      throw new ConfigError(`no master key: ${file} does not exist and APPRENTICE_MASTER_KEY is not set`, [
        { path: 'APPRENTICE_MASTER_KEY', message: 'set it, or start apprentice once to create the key file' },
      ]);
    keyring = createKeyring({
      keys: [{ id: `k-${uuidv7()}`, key: randomBytes(KEY_BYTES), createdAt: new Date().toISOString() }],
    });
    await mkdir(join(resolve(options.dataDir), 'keys'), { recursive: true, mode: 0o700 });
    await saveKeyringFile(file, keyring);
    source = 'created';
    keyFile = file;
  }
  await mkdir(subjectKeyDir(options.dataDir), { recursive: true, mode: 0o700 });
  return {
    keyring,
    source,
    file: keyFile,
    hmacKey: deriveHmacKey(keyring),
    subjectKeys: createFileSubjectKeyStore(subjectKeyDir(options.dataDir)),
  };
}

/**
 * Adds a new active master key and saves the key file (old keys stay, so old records stay
 * readable). ConfigError when the key comes from `APPRENTICE_MASTER_KEY` (rotate by moving
 * to a key file).
 */
export async function rotateMasterKey(keys: SecurityKeys): Promise<{ before: string; after: string }> {
  if (keys.file === undefined)
    throw new ConfigError('the master key comes from APPRENTICE_MASTER_KEY and cannot be rotated here', [
      {
        path: 'APPRENTICE_MASTER_KEY',
        message: 'use a key file (APPRENTICE_MASTER_KEY_FILE or <dataDir>/keys/master.json) to rotate',
      },
    ]);
  const before = keys.keyring.activeKeyId;
  const k = keys.keyring.rotate();
  await saveKeyringFile(keys.file, keys.keyring);
  return { before, after: k.id };
}
