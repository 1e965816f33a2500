import { afterEach, describe, expect, it } from 'vitest';
import { chaosBed, clean, type ChaosBed } from './harness.js';

// Issue 10, case 6: contexts the store cannot hold, sent among other clients' decisions.
describe('chaos: hostile input', () => {
  let bed: ChaosBed | undefined;
  afterEach(async () => {
    await bed?.close();
    bed = undefined;
  });

  it('case 6: NUL, lone surrogates and out-of-range numbers get 400 with the field; nobody else is dead-lettered', { timeout: 180_000 }, async () => {
    bed = await chaosBed('input');
    const server = await bed.start();
    const load = bed.load();
    const bad = [
      ['{"unitId":"b1","context":{"note":"a\\u0000b"},"deterministic":1}', 'context.note'],
      ['{"unitId":"b2","context":{"note":"x\\ud800y"},"deterministic":1}', 'context.note'],
      ['{"unitId":"b3","context":{"list":[1,"\\udc00"]},"deterministic":1}', 'context.list.1'],
      ['{"unitId":"b4","context":{"n":1e400},"deterministic":1}', 'context.n'],
      ['{"unitId":"b5","context":{"k\\u0000":1},"deterministic":1}', 'context.k'],
    ] as const;
    try {
      for (let round = 0; round < 5; round++)
        for (const [body, path] of bad) {
          const r = await fetch(`${server.url}/api/v1/agents/detektor-coder/decide`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          expect(r.status, body).toBe(400);
          const problem = (await r.json()) as { code: string; errors?: { path: string }[] };
          expect(problem.code).toBe('VALIDATION_FAILED');
          expect(problem.errors?.[0]?.path.startsWith(path), JSON.stringify(problem)).toBe(true);
        }
    } finally {
      await load.stop();
    }
    const tally = await bed.settle(load.acknowledged);
    expect(load.acknowledged.length).toBeGreaterThan(20);
    expect(clean(tally)).toEqual({ lost: 0, duplicated: 0, deadLettered: 0 });
    expect((await bed.deadLettered()).size).toBe(0);
  });
});
