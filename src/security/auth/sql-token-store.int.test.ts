import { afterAll, beforeAll } from 'vitest';
import { createTestSchema, type TestSchema } from '../../../test/support/services.js';
import { runMigrations } from '../../log/events/migrations.js';
import { createPgClient } from '../../log/events/postgres-event-store.js';
import type { SqlClient } from '../../log/events/sql-client.js';
import { createSqlTokenStore } from './sql-token-store.js';
import { tokenStoreContract } from './testing/token-store-contract.js';

let schema: TestSchema;
let client: SqlClient;
beforeAll(async () => {
  schema = await createTestSchema('tok');
  client = createPgClient({ connectionString: schema.connectionString, schema: schema.schema });
  await runMigrations(client);
});
afterAll(async () => {
  await client.close();
  await schema.drop();
});

tokenStoreContract(
  'sql (PostgreSQL)',
  async () => createSqlTokenStore(client),
  async () => {
    await client.exec('DELETE FROM api_tokens');
  },
);
