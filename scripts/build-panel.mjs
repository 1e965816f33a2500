// Builds the control panel (panel/) into dist/panel: one bundled, minified script (Preact),
// its stylesheet and the page. Nothing is loaded from a CDN. Run by `npm run build`.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'panel');

export async function buildPanel() {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(root, 'panel', 'src', 'main.tsx')],
    outfile: join(out, 'panel.js'),
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
    legalComments: 'none',
  });
  copyFileSync(join(root, 'panel', 'index.html'), join(out, 'index.html'));
  copyFileSync(join(root, 'panel', 'panel.css'), join(out, 'panel.css'));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildPanel();
