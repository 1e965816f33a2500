import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The installed package's root folder (where `migrations/` and `monitoring/` ship), found by
 * walking up from this module to the `package.json` named `apprentice`. It works the same from
 * `src/` (tests, tsx), from `dist/src/` (the build) and from `node_modules/apprentice/`.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'apprentice') return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package root of apprentice not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
