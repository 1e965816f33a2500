import { MemoryOnlineStore } from './online-store.js';
import { onlineStoreContract } from './testing/online-store-contract.js';

onlineStoreContract('in-process', async () => {
  const online = new MemoryOnlineStore();
  return { online, forget: async () => online.clear(), close: () => online.close() };
});
