import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

// The pool must also work from compiled JavaScript (dist/): transpile exactly the modules it
// needs, the way `tsc -p tsconfig.build.json` lays them out, and run it in a plain node process.
const src = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const files = [
  'core/errors.ts',
  'safety/resilience/cpu-pacer.ts',
  'safety/resilience/internal/options.ts',
  'safety/resilience/worker-entry.ts',
  'safety/resilience/worker-messages.ts',
  'safety/resilience/worker-pool.ts',
  'safety/resilience/pool-result.ts',
  'safety/resilience/worker-entry-location.ts',
];
const out = mkdtempSync(join(tmpdir(), 'apprentice-pool-dist-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('WorkerPool from compiled JavaScript', () => {
  it('starts workers from worker-entry.js and runs a task', () => {
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    for (const f of files) {
      const js = ts.transpileModule(readFileSync(join(src, f), 'utf8'), {
        compilerOptions: {
          module: ts.ModuleKind.ES2022,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
        },
        fileName: f,
      }).outputText;
      mkdirSync(dirname(join(out, f)), { recursive: true });
      writeFileSync(join(out, f.replace(/\.ts$/, '.js')), js);
    }
    writeFileSync(join(out, 'handler.js'), 'export function handle(t) { return t * 2; }\n');
    writeFileSync(
      join(out, 'main.js'),
      `import { createWorkerPool } from './safety/resilience/worker-pool.js';
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
