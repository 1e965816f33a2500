import { join, resolve } from 'node:path';
import { ConfigError } from '../core/index.js';
import { createFsArtifactStore, createPgArtifactStore, createS3ArtifactStore, type ArtifactStore } from '../learning/index.js';
import type { Apprentice } from './create-apprentice.js';
import { sqlClientOf } from './install-security.js';

/** Which artifact store a configuration selects: `artifactStore`, else postgres in server mode, else the filesystem. */
export const artifactStoreKind = (a: Pick<Apprentice, 'config'>): 'filesystem' | 'postgres' | 's3' =>
  a.config.artifactStore ?? (a.config.databaseUrl ? 'postgres' : 'filesystem');

/**
 * The model artifact store of this configuration (DESIGN.md §3): the filesystem under
 * `<dataDir>/models` embedded, the event store's PostgreSQL in server mode (every instance can
 * load every version with nothing more to run), or an S3-compatible bucket.
 */
export async function createArtifactStore(a: Pick<Apprentice, 'config' | 'store'>): Promise<ArtifactStore> {
  const kind = artifactStoreKind(a);
  const dir = join(resolve(a.config.dataDir), 'models');
  if (kind === 'filesystem') return createFsArtifactStore(dir);
  if (kind === 'postgres') {
    const sql = sqlClientOf(a);
    if (!sql) throw new ConfigError('artifactStore "postgres" needs a SQL event store', [{ path: 'artifactStore', message: 'the event store exposes no SQL client' }]);
    return createPgArtifactStore(sql);
  }
  const s3 = a.config.s3;
  if (!s3) throw new ConfigError('artifactStore "s3" needs the s3 settings', [{ path: 's3', message: 'required when artifactStore is "s3" (bucket, endpoint, ...)' }]);
  return createS3ArtifactStore({
    bucket: s3.bucket,
    prefix: s3.prefix,
    region: s3.region,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    ...(s3.accessKeyId && s3.secretAccessKey ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } : {}),
  });
}
