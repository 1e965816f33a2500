import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

let repository: string | undefined;

/** The `repository` of the package's `package.json` as an https URL without `.git`. */
export function repositoryUrl(): string {
  if (repository !== undefined) return repository;
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { repository?: string | { url?: string } };
  const raw = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
  if (!raw) throw new Error('package.json has no "repository": the docs links are built from it');
  return (repository = raw.replace(/^git\+/, '').replace(/\.git$/, '').replace(/\/+$/, ''));
}

const trim = (url: string): string => url.replace(/\/+$/, '');

/**
 * Where the `docs/` folder is read on the web: `APPRENTICE_DOCS_BASE_URL`, else the package's
 * repository at `blob/main/docs`. Error `type` URLs (`<base>/problems.md#<code>`) use it.
 * @example docsBaseUrl() // 'https://github.com/apprentice/apprentice/blob/main/docs'
 */
export function docsBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return trim(env.APPRENTICE_DOCS_BASE_URL || `${repositoryUrl()}/blob/main/docs`);
}

/**
 * Where alert runbooks live (`<base>/<AlertName>.md`): `APPRENTICE_RUNBOOK_BASE_URL`, else
 * `docs/runbooks` under {@link docsBaseUrl}. `apprentice alerts` writes `runbook_url` with it,
 * so a team that hosts its own copy of the runbooks points the alerts at it.
 * @example runbookBaseUrl({ APPRENTICE_RUNBOOK_BASE_URL: 'https://wiki.example.com/runbooks' })
 */
export function runbookBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return trim(env.APPRENTICE_RUNBOOK_BASE_URL || `${docsBaseUrl(env)}/runbooks`);
}
