import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll } from 'vitest';
import { createTestSchema, type TestSchema } from '../../../../test/support/services.js';
import { createPostgresEventStore } from '../../../log/index.js';
import { createPgArtifactStore } from './pg-artifact-store.js';
import { createS3ArtifactStore } from './s3-artifact-store.js';
import { artifactStoreContract } from './testing/artifact-store-contract.js';

let schema: TestSchema;
let pgStore: ReturnType<typeof createPostgresEventStore>;
// A real S3-protocol server over HTTP, started in-process on a free port.
let s3: S3rver;
let s3Endpoint = '';
const s3Dir = mkdtempSync(join(tmpdir(), 'apprentice-s3rver-'));
let bucketSeq = 0;

beforeAll(async () => {
  schema = await createTestSchema('artifacts');
  pgStore = createPostgresEventStore({ connectionString: schema.connectionString, schema: schema.schema });
  await pgStore.migrate();
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir, configureBuckets: [] });
  const addr = (await s3.run()) as { address: string; port: number };
  s3Endpoint = `http://${addr.address}:${addr.port}`;
});

afterAll(async () => {
  await pgStore?.close();
  await schema?.drop();
  await s3?.close();
  rmSync(s3Dir, { recursive: true, force: true });
});

artifactStoreContract('postgres', async () => {
  await pgStore.client.query('TRUNCATE model_artifacts');
  return { ...createPgArtifactStore(pgStore.client), close: async () => {} };
});

artifactStoreContract('s3 (s3rver)', async () => {
  const bucket = `models-${++bucketSeq}`;
  const { S3Client, CreateBucketCommand } = await import('@aws-sdk/client-s3');
  const admin = new S3Client({ region: 'us-east-1', endpoint: s3Endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  admin.destroy();
  return createS3ArtifactStore({ bucket, endpoint: s3Endpoint, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});
