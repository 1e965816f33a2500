import { createClient } from 'redis';
import { REDIS_URL, testPrefix } from '../../../test/support/services.js';
import { RedisOnlineStore } from './redis-online-store.js';
import { onlineStoreContract } from './testing/online-store-contract.js';

/**
 * Every key under the test's prefix, at once (one script: Redis runs it atomically): what a Redis
 * restarted without persistence forgets. A SCAN-and-DEL loop could delete keys the rebuild had
 * already written again, a loss no restart causes.
 */
async function dropPrefix(redis: ReturnType<typeof createClient>, prefix: string): Promise<void> {
  const script = "local ks = redis.call('KEYS', ARGV[1]) for i = 1, #ks, 500 do redis.call('DEL', unpack(ks, i, math.min(i + 499, #ks))) end return #ks";
  await redis.eval(script, { arguments: [`${prefix}*`] });
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
