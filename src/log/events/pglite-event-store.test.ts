import { eventStoreContract } from './testing/event-store-contract.js';
import { createPgliteClient, createPgliteEventStore } from './pglite-event-store.js';
import { SqlEventStore } from './sql-event-store.js';
import { readCostSuite } from './testing/read-cost-suite.js';

// PGlite in memory: real PostgreSQL in WASM, no server needed (unit tier).
eventStoreContract('pglite', async () => {
  const store = await createPgliteEventStore({ dataDir: 'memory://' });
  await store.migrate();
  return { store, cleanup: () => store.close() };
});

readCostSuite('pglite', async (wrap) => {
  const store = new SqlEventStore('pglite', wrap(await createPgliteClient('memory://')));
  await store.migrate();
  return { store, cleanup: () => store.close() };
});
