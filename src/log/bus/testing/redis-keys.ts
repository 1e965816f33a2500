import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';

/** A key prefix no other test uses, e.g. `test:bus:1a2b3c4d:`. */
export const uniquePrefix = (area: string): string => `test:${area}:${randomUUID().slice(0, 8)}:`;

/** Delete every key under `prefix` (SCAN, never KEYS), on its own short-lived connection. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  try {
    let deleted = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) deleted += await client.del(keys);
    }
    return deleted;
  } finally {
    client.destroy();
  }
}
