import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { contractRoute, defineRoute, NotFoundError, packageRoot, UnavailableError } from '../../core/index.js';
import { buildOpenApiDocument } from '../openapi/openapi-document.js';
import { contractsOf, type RegisteredRoute } from '../openapi/route-catalogue.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** The swagger-ui files `/docs` needs, served from the installed `swagger-ui-dist` package. */
const SWAGGER_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png'] as const;

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>apprentice API</title>
<link rel="icon" href="/docs/favicon-32x32.png"><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/swagger-ui-standalone-preset.js"></script><script src="/docs/init.js"></script>
</body></html>`;

// The bearer token the panel keeps in sessionStorage is offered to "Try it out" too.
const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json', dom_id: '#docs', deepLinking: true, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout', validatorUrl: null, persistAuthorization: false,
  onComplete: () => { const t = sessionStorage.getItem('apprentice.token'); if (t) window.ui.preauthorizeApiKey('bearer', t); },
});`;

const html = z.string();
const fileParams = z.object({ file: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'a file name') });

export const getOpenApi = defineRoute({
  method: 'GET',
  path: '/openapi.json',
  role: 'open',
  summary: 'This API as an OpenAPI 3.1 document',
  description: 'Generated at start from the zod schemas every route validates its input with.',
  tags: ['docs'],
  responses: { 200: { description: 'the OpenAPI document', schema: z.looseObject({ openapi: z.literal('3.1.0') }) } },
});
export const getDocs = defineRoute({
  method: 'GET',
  path: '/docs',
  role: 'open',
  summary: 'API reference (swagger-ui, served from this server; nothing from a CDN)',
  tags: ['docs'],
  responses: { 200: { description: 'HTML page', contentType: 'text/html', schema: html } },
});
export const getDocsAsset = defineRoute({
  method: 'GET',
  path: '/docs/:file',
  role: 'open',
  summary: 'A static file of the API reference page',
  tags: ['docs'],
  params: fileParams,
  examples: { params: { file: 'swagger-ui.css' } },
  problems: ['NOT_FOUND'],
  responses: { 200: { description: 'the file (CSS, JavaScript or PNG)' } },
});
export const getPanel = defineRoute({
  method: 'GET',
  path: '/',
  role: 'open',
  summary: 'The control panel (sign in with an API token; open mode on loopback needs none)',
  description: 'The page is open; every API call it makes needs the role of its route.',
  tags: ['panel'],
  problems: ['SERVICE_UNAVAILABLE'],
  responses: { 200: { description: 'HTML page', contentType: 'text/html', schema: html } },
});
export const getPanelAsset = defineRoute({
  method: 'GET',
  path: '/panel/:file',
  role: 'open',
  summary: 'A built asset of the control panel (dist/panel)',
  tags: ['panel'],
  params: fileParams,
  examples: { params: { file: 'panel.js' } },
  problems: ['NOT_FOUND'],
  responses: { 200: { description: 'the file (JavaScript or CSS)' } },
});

export interface UiRoutesOptions {
  /** Every route of the server (for `/openapi.json`), complete once the server is ready. */
  readonly routes: readonly RegisteredRoute[];
  /** `info.version` of the document. */
  readonly version: string;
  /** Folder of the built panel. Default `<package root>/dist/panel`. */
  readonly panelDir?: string;
}

const PANEL_MISSING = 'the control panel is not built: run `npm run build`';

/**
 * `GET /openapi.json`, `GET /docs` (+ `/docs/{file}`) and the control panel: `GET /` and
 * `GET /panel/{file}`. Static files are a fixed list read from two folders (the built panel and
 * swagger-ui-dist): a handful of files, so a small handler rather than a static-file plugin,
 * and no path from the URL ever reaches the file system unchecked.
 */
export function registerUiRoutes(app: FastifyInstance, o: UiRoutesOptions): void {
  let document: Record<string, unknown> | undefined;
  const panelDir = o.panelDir ?? join(packageRoot(), 'dist', 'panel');
  const swaggerDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const panelFiles = (): Set<string> => {
    try {
      return new Set(readdirSync(panelDir));
    } catch {
      return new Set();
    }
  };

  app.route(
    contractRoute(getOpenApi, async () =>
      (document ??= buildOpenApiDocument(contractsOf(o.routes), {
        title: 'apprentice',
        version: o.version,
        description:
          'Decisions, outcomes, shadow models, statistical rollouts, flags, breakers and the audit trail. ' +
          'Errors are RFC 9457 problem+json with a stable `code` (docs/problems.md). Send `Authorization: Bearer <token>`; ' +
          'a service started on 127.0.0.1 without tokens runs open.',
      })),
    ),
  );
  app.route(contractRoute(getDocs, async (_req, reply) => reply.type(TYPES['.html']!).send(DOCS_HTML)));
  app.route(
    contractRoute(getDocsAsset, async (req, reply) => {
      const { file } = req.params as { file: string };
      if (file === 'init.js') return reply.type(TYPES['.js']!).send(DOCS_INIT);
      if (!(SWAGGER_FILES as readonly string[]).includes(file)) throw new NotFoundError(`no docs file ${file}`);
      return reply
        .type(TYPES[extname(file)] ?? 'application/octet-stream')
        .header('cache-control', 'public, max-age=86400')
        .send(await readFile(join(swaggerDir, file)));
    }),
  );
  app.route(
    contractRoute(getPanel, async (_req, reply) => {
      if (!panelFiles().has('index.html')) throw new UnavailableError(PANEL_MISSING);
      return reply.type(TYPES['.html']!).header('cache-control', 'no-cache').send(await readFile(join(panelDir, 'index.html')));
    }),
  );
  app.route(
    contractRoute(getPanelAsset, async (req, reply) => {
      const { file } = req.params as { file: string };
      if (file === 'index.html' || !panelFiles().has(file)) throw new NotFoundError(`no panel file ${file}`);
      return reply
        .type(TYPES[extname(file)] ?? 'application/octet-stream')
        .header('cache-control', 'no-cache')
        .send(await readFile(join(panelDir, file)));
    }),
  );
}
