import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDIS_URL } from '../../../test/support/services.js';

// A process that opens a lazily connecting bus and closes it at once (what `apprentice migrate`
// does with a Redis URL) must exit by itself: node-redis opens a connect still under way after
// `destroy()`, on a client that can then no longer be closed, and that socket kept it alive.
describe('redis bus: close() during a lazy connect', () => {
  it('lets the process exit by itself', { timeout: 60_000 }, async () => {
    const bus = join(import.meta.dirname, 'redis-bus.ts');
    const code = `const { createRedisBus } = await import(${JSON.stringify(bus)});
      const b = await createRedisBus({ url: ${JSON.stringify(REDIS_URL)}, prefix: 'test:exit:', lazyConnect: true });
      await b.close();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [exitCode, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    // SIGKILL here means it was still running 30 s after close().
    expect({ exitCode, signal, stderr }).toEqual({ exitCode: 0, signal: null, stderr: '' });
  });
});
