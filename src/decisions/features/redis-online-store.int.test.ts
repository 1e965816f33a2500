import { createClient } from 'redis';
import { REDIS_URL, testPrefix } from '../../../test/support/services.js';
import { RedisOnlineStore } from './redis-online-store.js';
import { onlineStoreContract } from './testing/online-store-contract.js';

/** Every key under the test's prefix: what a Redis restarted without persistence forgets. */
async function dropPrefix(redis: ReturnType<typeof createClient>, prefix: string): Promise<void> {
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await redis.del(keys);
}

onlineStoreContract('Redis', async () => {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const prefix = testPrefix('fv');
  const online = new RedisOnlineStore({ redis, prefix });
  return {
    online,
    forget: () => dropPrefix(redis, prefix),
    close: async () => {
      await dropPrefix(redis, prefix);
      await redis.quit();
    },
  };
});
