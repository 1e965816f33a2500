import { eventStoreContract } from './testing/event-store-contract.js';
import { createPgliteEventStore } from './pglite-event-store.js';

// PGlite in memory: real PostgreSQL in WASM, no server needed (unit tier).
eventStoreContract('pglite', async () => {
  const store = await createPgliteEventStore({ dataDir: 'memory://' });
  await store.migrate();
  return { store, cleanup: () => store.close() };
});
