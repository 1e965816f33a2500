import { ConflictError } from '../../core/index.js';
import type { NewTokenRecord, TokenRecord, TokenStore } from './token-store.js';

/** In-process TokenStore (tests, embedded mode). */
export function createMemoryTokenStore(): TokenStore {
  const byId = new Map<string, TokenRecord>();
  const idByHash = new Map<string, string>();
  return {
    async create(record: NewTokenRecord) {
      if (byId.has(record.id)) throw new ConflictError(`token id ${record.id} already exists`);
      if (idByHash.has(record.hash)) throw new ConflictError('a token with this hash already exists');
      const stored: TokenRecord = { ...record };
      byId.set(record.id, stored);
      idByHash.set(record.hash, record.id);
      return stored;
    },
    async list() {
      return [...byId.values()].sort(
        (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
      );
    },
    async revoke(id, at) {
      const r = byId.get(id);
      if (r === undefined || r.revokedAt !== undefined) return false;
      byId.set(id, { ...r, revokedAt: at });
      return true;
    },
    async findByHash(hash) {
      const id = idByHash.get(hash);
      return id === undefined ? undefined : byId.get(id);
    },
  };
}
