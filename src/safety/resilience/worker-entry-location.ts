import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** How to start a worker: a file URL, or (from TypeScript source) a small eval'd bootstrap. */
export interface WorkerEntry {
  readonly script: string | URL;
  readonly eval: boolean;
}

/**
 * Where the worker entry lives: `worker-entry.js` beside the compiled module, or
 * `worker-entry.ts` when this module itself runs from TypeScript source (vitest, tsx).
 * From source the worker first registers tsx through its API and then imports the entry:
 * on Node 20 `execArgv: ['--import', 'tsx']` loads tsx in the worker but its hooks are not
 * applied to the worker's own entry ("Unknown file extension .ts"), so that route fails.
 */
export function resolveWorkerEntry(moduleUrl: string): WorkerEntry {
  if (moduleUrl.endsWith('.ts')) {
    // tsx's ESM API; its package "exports" give the CJS build to require.resolve, the ESM one sits beside it.
    const api = pathToFileURL(
      createRequire(moduleUrl)
        .resolve('tsx/esm/api')
        .replace(/\.cjs$/, '.mjs'),
    ).href;
    const entry = new URL('./worker-entry.ts', moduleUrl).href;
    const script = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
    return { script, eval: true };
  }
  return { script: new URL('./worker-entry.js', moduleUrl), eval: false };
}
