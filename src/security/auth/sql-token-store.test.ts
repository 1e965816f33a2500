import { afterAll, beforeAll } from 'vitest';
import { createPgliteClient } from '../../log/events/pglite-event-store.js';
import { runMigrations } from '../../log/events/migrations.js';
import type { SqlClient } from '../../log/events/sql-client.js';
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
