import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NotFoundError } from '../../../core/index.js';
import { artifactKey, assertArtifactKey, sha256Hex, type ArtifactStore, type StoredArtifact } from './artifact-store.js';

/**
 * Artifacts as files under `dir` (`<dir>/sha256/<hex>`), written to a temporary name and
 * renamed, so a reader never sees half a file. The embedded default.
 * @example
 * const store = createFsArtifactStore('.apprentice/models');
 * const { key } = await store.put(bytes);
 */
export function createFsArtifactStore(dir: string): ArtifactStore & { pathOf(key: string): string } {
  const pathOf = (key: string): string => {
    assertArtifactKey(key);
    return join(dir, key);
  };
  return {
    kind: 'filesystem',
    pathOf,
    async put(bytes): Promise<StoredArtifact> {
      const sha256 = sha256Hex(bytes);
      const key = artifactKey(sha256);
      const path = pathOf(key);
      const exists = await stat(path).then(
        (s) => s.size === bytes.byteLength,
        () => false,
      );
      if (!exists) {
        await mkdir(dirname(path), { recursive: true });
        const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(tmp, bytes, { flag: 'wx' });
        await rename(tmp, path);
      }
      return { key, sha256, size: bytes.byteLength };
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`artifact ${key} is missing (${pathOf(key)})`, { cause: e });
        throw e;
      }
    },
    async has(key) {
      return stat(pathOf(key)).then(
        () => true,
        () => false,
      );
    },
    async *list() {
      const names = await readdir(join(dir, 'sha256')).catch(() => [] as string[]);
      for (const n of names.sort()) if (/^[0-9a-f]{64}$/.test(n)) yield `sha256/${n}`;
    },
    async ping() {
      // A directory that was never written yet is created, as `put` would; a path that cannot
      // be a directory (a file in its way, a read-only or missing mount) fails.
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
    },
    async close() {},
  };
}
