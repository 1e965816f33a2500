import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../core/package-root.js';

// The pool must also work from compiled JavaScript: run the build's worker-pool.js (npm test
// builds first) in a plain node process, so the worker starts from dist's worker-entry.js.
const built = join(packageRoot(), 'dist', 'src', 'safety', 'resilience', 'worker-pool.js');
const out = mkdtempSync(join(tmpdir(), 'apprentice-pool-dist-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('WorkerPool from compiled JavaScript', () => {
  it('starts workers from worker-entry.js and runs a task', () => {
    expect(existsSync(built), `${built} is missing: run npm run build (npm test does)`).toBe(true);
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    writeFileSync(join(out, 'handler.js'), 'export function handle(t) { return t * 2; }\n');
    writeFileSync(
      join(out, 'main.js'),
      `import { createWorkerPool } from ${JSON.stringify(pathToFileURL(built).href)};
const pool = createWorkerPool({ handlerModule: new URL('./handler.js', import.meta.url), size: 1, totalHeapMb: 64 });
const r = await pool.run(21, { timeoutMs: 10000 });
await pool.close();
console.log(JSON.stringify(r));`,
    );
    const stdout = execFileSync(process.execPath, [join(out, 'main.js')], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, value: 42 });
  });
});
