export { type Apprentice, createApprentice } from './create-apprentice.js';
export { installPlatform, type PlatformOptions } from './install-platform.js';
export { sqlClientOf } from './install-security.js';
export type { ServerContext, ServerOptions } from './server-context.js';
