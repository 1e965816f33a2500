import { afterAll, beforeAll } from 'vitest';
import { createPgliteClient } from '../events/pglite-event-store.js';
import { runMigrations } from '../events/migrations.js';
import type { SqlClient } from '../events/sql-client.js';
import { createSqlTokenStore } from './sql-token-store.js';
import { tokenStoreContract } from './testing/token-store-contract.js';

let client: SqlClient;
beforeAll(async () => {
  client = await createPgliteClient('memory://');
  await runMigrations(client);
});
afterAll(async () => {
  await client.close();
});

tokenStoreContract(
  'sql (PGlite)',
  async () => createSqlTokenStore(client),
  async () => {
    await client.exec('DELETE FROM api_tokens');
  },
);
