import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/index.js';

/** The `version` of the installed package.json (the OpenAPI document's `info.version`). */
export const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
