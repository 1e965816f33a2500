import { createMemoryTokenStore } from './memory-token-store.js';
import { tokenStoreContract } from './testing/token-store-contract.js';

tokenStoreContract('memory', async () => createMemoryTokenStore());
