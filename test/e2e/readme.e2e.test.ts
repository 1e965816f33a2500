import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

// The README's library snippet, run as written against the build (the package imports itself
// by name through its `exports`), so the README cannot drift from the API.
describe('README', () => {
  it('the library example runs', { timeout: 120_000 }, async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const snippet = /## Library\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'apprentice-readme-'));
    // A .mjs file inside the package so `import ... from 'apprentice'` self-resolves.
    const file = join(root, 'dist', `.readme-example-${process.pid}.mjs`);
    writeFileSync(file, `${snippet!}\nconsole.log(JSON.stringify({ ok: true, decision: d }));\n`);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, [file], {
        cwd: dir,
        env: { ...process.env, APPRENTICE_DATA_DIR: join(dir, 'data'), DATABASE_URL: '', REDIS_URL: '' },
      });
      const out = JSON.parse(stdout.trim().split('\n').pop()!) as { ok: boolean; decision: { agent: string; value: string } };
      expect(out).toMatchObject({ ok: true, decision: { agent: 'deployment-specialist', value: 'canary', source: 'deterministic' } });
    } finally {
      rmSync(file, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
