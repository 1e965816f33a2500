import { createHash } from 'node:crypto';

/**
 * Where model artifacts live (DESIGN.md §3). Content-addressed: an artifact's key is derived
 * from its sha256, so writing the same bytes twice is a no-op and two instances can never
 * disagree about what a key holds. Three adapters pass one contract suite
 * (`testing/artifact-store-contract.ts`): the filesystem (embedded default), PostgreSQL
 * (server-mode default: nothing more to run) and S3-compatible storage (MinIO, S3, R2).
 */
export interface ArtifactStore {
  readonly kind: 'filesystem' | 'postgres' | 's3';
  /** Store `bytes` (idempotent) and return their key, digest and size. */
  put(bytes: Uint8Array): Promise<StoredArtifact>;
  /** The bytes under `key`; `NotFoundError` (code `NOT_FOUND`) when there are none. */
  get(key: string): Promise<Uint8Array>;
  has(key: string): Promise<boolean>;
  /** Every key held, for backup. */
  list(): AsyncIterable<string>;
  /** Resolves when the store can be reached (health); rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoredArtifact {
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The content address of a digest: `sha256/<hex>`. */
export const artifactKey = (sha256: string): string => `sha256/${sha256}`;

const KEY_RE = /^(sha256\/[0-9a-f]{64}|[a-z0-9][a-z0-9-]{0,62}\/v[0-9]+\.(json|onnx))$/;

/**
 * Refuses keys that are neither content addresses nor the legacy `<agent>/v<n>.<ext>` paths of
 * versions registered before artifacts were content-addressed, so no key can escape the store.
 */
export function assertArtifactKey(key: string): void {
  if (!KEY_RE.test(key)) throw new RangeError(`invalid artifact key "${key.slice(0, 80)}"`);
}
