import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isApprenticeError } from '../../../../core/index.js';
import { artifactKey, sha256Hex, type ArtifactStore } from '../artifact-store.js';

/**
 * The one contract every artifact store adapter passes (filesystem, PostgreSQL, S3).
 * `make` returns a fresh, empty store for each test.
 */
export function artifactStoreContract(name: string, make: () => Promise<ArtifactStore>): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    it('stores bytes under their content address and returns them unchanged', async () => {
      const store = await make();
      const bytes = new Uint8Array(randomBytes(70_000));
      const stored = await store.put(bytes);
      expect(stored).toEqual({ key: artifactKey(sha256Hex(bytes)), sha256: sha256Hex(bytes), size: 70_000 });
      expect(Buffer.from(await store.get(stored.key)).equals(Buffer.from(bytes))).toBe(true);
      expect(await store.has(stored.key)).toBe(true);
      await store.close();
    });

    it('answers a ping while it is reachable', async () => {
      const store = await make();
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
    });

    it('is idempotent: the same bytes twice give one key and one artifact', async () => {
      const store = await make();
      const bytes = new TextEncoder().encode('{"format":"learner"}');
      const a = await store.put(bytes);
      const b = await store.put(bytes);
      expect(b).toEqual(a);
      const keys: string[] = [];
      for await (const k of store.list()) keys.push(k);
      expect(keys).toEqual([a.key]);
      await store.close();
    });

    it('lists every stored key, and a missing key is NOT_FOUND (never empty bytes)', async () => {
      const store = await make();
      const puts = await Promise.all([1, 2, 3].map((i) => store.put(new TextEncoder().encode(`artifact ${i}`))));
      const keys: string[] = [];
      for await (const k of store.list()) keys.push(k);
      expect(keys.sort()).toEqual(puts.map((p) => p.key).sort());
      const missing = artifactKey('0'.repeat(64));
      expect(await store.has(missing)).toBe(false);
      const err = await store.get(missing).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isApprenticeError(err) && err.code).toBe('NOT_FOUND');
      await store.close();
    });

    it('refuses keys that could escape the store', async () => {
      const store = await make();
      await expect(store.get('../../etc/passwd')).rejects.toThrow(/invalid artifact key/);
      await expect(store.has('sha256/zz')).rejects.toThrow(/invalid artifact key/);
      await store.close();
    });
  });
}
