import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';
import { CryptoError } from './crypto-error.js';
import { writeFileAtomic } from './internal/atomic-file.js';

/** One AES-256 master key. The key material never leaves the process (never stored in a database). */
export interface MasterKey {
  readonly id: string;
  /** 32 bytes. */
  readonly key: Buffer;
  /** ISO-8601. */
  readonly createdAt: string;
}

/**
 * The master keys: one active key that wraps new data keys, older keys kept so old records
 * stay readable after a rotation.
 */
export interface Keyring {
  readonly activeKeyId: string;
  active(): MasterKey;
  /** The key with this id; throws CryptoError (CRYPTO_FAILED) naming the id when it is unknown. */
  get(id: string): MasterKey;
  has(id: string): boolean;
  ids(): readonly string[];
  /** Adds a new key (random unless given) and makes it active. Returns it. */
  rotate(options?: RotateOptions): MasterKey;
  /** Serialisable form for a key file (contains key material: write it with mode 0600 only). */
  toFile(): KeyringFile;
}

export interface RotateOptions {
  /** Default: `k-<uuidv7>`. */
  readonly id?: string;
  /** Default: 32 random bytes. */
  readonly key?: Buffer;
  /** Default: now. */
  readonly createdAt?: string;
}

export interface KeyringOptions {
  readonly keys: readonly MasterKey[];
  /** Default: the last key in `keys`. */
  readonly activeKeyId?: string;
}

export const KEY_BYTES = 32;

const keyEntry = z.object({
  id: z.string().min(1).max(200),
  key: z.string().refine((s) => decodeKey(s)?.length === KEY_BYTES, 'must be base64 of exactly 32 bytes'),
  createdAt: z.string().min(1),
});
const keyringFileSchema = z.object({ active: z.string().min(1), keys: z.array(keyEntry).min(1) });
/** The key file format: `{"active": "k1", "keys": [{"id": "k1", "key": "<base64 32 bytes>", "createdAt": "..."}]}`. */
export type KeyringFile = z.infer<typeof keyringFileSchema>;

function decodeKey(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(s.trim())) return undefined;
  return Buffer.from(s.trim(), 'base64');
}

/**
 * A keyring over the given keys.
 * @example
 * const ring = createKeyring({ keys: [{ id: 'k1', key: randomBytes(32), createdAt: new Date().toISOString() }] });
 * ring.rotate(); // new active key; records under k1 stay readable
 */
export function createKeyring(options: KeyringOptions): Keyring {
  const keys = new Map<string, MasterKey>();
  for (const k of options.keys) {
    if (k.key.length !== KEY_BYTES)
      throw new ConfigError(`master key ${k.id} must be 32 bytes, got ${k.key.length}`);
    if (keys.has(k.id)) throw new ConfigError(`duplicate master key id ${k.id}`);
    keys.set(k.id, { id: k.id, key: Buffer.from(k.key), createdAt: k.createdAt });
  }
  let activeKeyId = options.activeKeyId ?? options.keys.at(-1)?.id;
  if (activeKeyId === undefined) throw new ConfigError('a keyring needs at least one master key');
  if (!keys.has(activeKeyId)) throw new ConfigError(`active master key ${activeKeyId} is not in the keyring`);

  const get = (id: string): MasterKey => {
    const k = keys.get(id);
    if (k === undefined) throw new CryptoError(`master key ${id} is not in the keyring`, { keyId: id });
    return k;
  };
  return {
    get activeKeyId() {
      return activeKeyId!;
    },
    active: () => get(activeKeyId!),
    get,
    has: (id) => keys.has(id),
    ids: () => [...keys.keys()],
    rotate(rotateOptions = {}) {
      const k: MasterKey = {
        id: rotateOptions.id ?? `k-${uuidv7()}`,
        key: Buffer.from(rotateOptions.key ?? randomBytes(KEY_BYTES)),
        createdAt: rotateOptions.createdAt ?? new Date().toISOString(),
      };
      if (k.key.length !== KEY_BYTES)
        throw new ConfigError(`master key ${k.id} must be 32 bytes, got ${k.key.length}`);
      if (keys.has(k.id)) throw new ConfigError(`duplicate master key id ${k.id}`);
      keys.set(k.id, k);
      activeKeyId = k.id;
      return k;
    },
    toFile: () => ({
      active: activeKeyId!,
      keys: [...keys.values()].map((k) => ({
        id: k.id,
        key: k.key.toString('base64'),
        createdAt: k.createdAt,
      })),
    }),
  };
}

/** Parses and validates the key file content (ConfigError with field issues when invalid). */
export function parseKeyringFile(json: unknown, source = 'key file'): Keyring {
  const parsed = keyringFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ConfigError(
      `invalid ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return createKeyring({
    keys: parsed.data.keys.map((k) => ({ id: k.id, key: decodeKey(k.key)!, createdAt: k.createdAt })),
    activeKeyId: parsed.data.active,
  });
}

/** Reads a key file (see `KeyringFile`). */
export function loadKeyringFile(path: string): Keyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read master key file ${path}`, [], { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`master key file ${path} is not valid JSON`, [], { cause });
  }
  return parseKeyringFile(json, `master key file ${path}`);
}

/**
 * A one-key keyring from a base64 key (e.g. `APPRENTICE_MASTER_KEY`). The id is derived
 * from the key's fingerprint (`env-<8 hex>`), so a different key gets a different id.
 */
export function keyringFromBase64(base64: string, createdAt = new Date(0).toISOString()): Keyring {
  const key = decodeKey(base64);
  if (key === undefined || key.length !== KEY_BYTES) {
    throw new ConfigError('APPRENTICE_MASTER_KEY must be base64 of exactly 32 bytes', [
      { path: 'APPRENTICE_MASTER_KEY', message: 'must be base64 of exactly 32 bytes' },
    ]);
  }
  const id = `env-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
  return createKeyring({ keys: [{ id, key, createdAt }] });
}

export interface LoadKeyringOptions {
  /** Key file path. Default: `env.APPRENTICE_MASTER_KEY_FILE`. Wins over the env key. */
  readonly file?: string | undefined;
  /** Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The keyring from a key file, else from `APPRENTICE_MASTER_KEY`; ConfigError when neither is set. */
export function loadKeyring(options: LoadKeyringOptions = {}): Keyring {
  const env = options.env ?? process.env;
  const file = options.file ?? env['APPRENTICE_MASTER_KEY_FILE'];
  if (file !== undefined && file !== '') return loadKeyringFile(file);
  const b64 = env['APPRENTICE_MASTER_KEY'];
  if (b64 !== undefined && b64 !== '') return keyringFromBase64(b64);
  throw new ConfigError(
    'no master key: set APPRENTICE_MASTER_KEY (base64, 32 bytes) or APPRENTICE_MASTER_KEY_FILE',
    [{ path: 'APPRENTICE_MASTER_KEY', message: 'required for encryption' }],
  );
}

/** Writes the keyring to a key file atomically (temp file + rename), mode 0600. */
export async function saveKeyringFile(path: string, keyring: Keyring): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(keyring.toFile(), null, 2)}\n`, 0o600);
}
