import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createPgliteEventStore, type SqlClient } from '../../../log/index.js';
import { createFsArtifactStore } from './fs-artifact-store.js';
import { createPgArtifactStore } from './pg-artifact-store.js';
import { artifactStoreContract } from './testing/artifact-store-contract.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

artifactStoreContract('filesystem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-artifacts-'));
  dirs.push(dir);
  return createFsArtifactStore(dir);
});

// The PostgreSQL adapter on PGlite: the same SQL and migration as server mode. One embedded
// database for the file, emptied before each test.
let pglite: Awaited<ReturnType<typeof createPgliteEventStore>> | undefined;
afterAll(async () => pglite?.close());
artifactStoreContract('postgres (PGlite)', async () => {
  if (!pglite) {
    pglite = await createPgliteEventStore({ dataDir: 'memory://' });
    await pglite.migrate();
  }
  const client: SqlClient = pglite.client;
  await client.query('TRUNCATE model_artifacts');
  return { ...createPgArtifactStore(client), close: async () => {} };
});
