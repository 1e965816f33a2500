import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { issueToken } from '../../security/auth/authenticate.js';
import type { Role } from '../../security/auth/roles.js';
import { AgentRegistry } from '../../decisions/agents/agent-registry.js';
import { agentRoutes } from '../../decisions/agents/agent-routes.js';
import type { ConfigInput } from '../../core/config.js';
import { ModelRegistry } from '../../learning/registry/model-registry.js';
import { registryRoutes } from '../../learning/registry/registry-routes.js';
import { Projector } from '../../log/projector/projector.js';
import { BUS_TOPIC, createApprentice, type Apprentice } from '../create-apprentice.js';
import { buildServer } from '../../server/app.js';
import type { ServerOptions } from '../server-context.js';
import { installSecurity, type InstalledSecurity, type InstallSecurityOptions } from '../install-security.js';
import { deadline } from '../../../test/support/poll-until.js';

export interface SecureServer {
  readonly dir: string;
  readonly a: Apprentice;
  readonly app: FastifyInstance;
  readonly sec: InstalledSecurity;
  /** One token per role. */
  readonly tokens: Readonly<Record<Role, string>>;
  /** Events in the store after flushing the writer and draining the projector. */
  eventCount(): Promise<number>;
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An embedded apprentice with every route module that exists (core, agents, model registry,
 * security) behind installSecurity, and a viewer, an operator and an admin token.
 */
export async function startSecureServer(
  config: Partial<ConfigInput> = {},
  options: InstallSecurityOptions & { logger?: ServerOptions['logger'] } = {},
): Promise<SecureServer> {
  const dir = mkdtempSync(join(tmpdir(), 'apprentice-sec-'));
  // No background projector: tests drain one explicitly, so no loop holds events mid-append
  // while a test counts them.
  const a = await createApprentice({
    config: { dataDir: dir, requireAuth: true, logLevel: 'silent', ...config },
    projector: false,
  });
  const projector = new Projector({
    bus: a.bus,
    store: a.store,
    topic: BUS_TOPIC,
    consumer: 'security-test',
  });
  await a.bus.ensureGroup(BUS_TOPIC, 'projector');
  const sec = await installSecurity(a, { env: {}, ...options });
  const agents = new AgentRegistry({ sink: a.writer });
  const models = new ModelRegistry({ dir: join(dir, 'models'), sink: a.writer });
  const app = await buildServer(a, {
    routes: [...sec.server.routes, agentRoutes(agents), registryRoutes(models)],
    context: sec.server.context,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const issue = async (role: Role): Promise<string> =>
    (await issueToken(sec.tokens, { name: `test-${role}`, role })).token;
  const tokens = {
    viewer: await issue('viewer'),
    operator: await issue('operator'),
    admin: await issue('admin'),
  };
  const settle = async (): Promise<void> => {
    await a.writer.flush();
    // Bounded: a projector that never runs dry (never acknowledges) fails here with a message.
    const check = deadline({ timeoutMs: 30_000, message: 'draining the projector' });
    while ((await projector.drainOnce()) > 0) check();
  };
  return {
    dir,
    a,
    app,
    sec,
    tokens,
    settle,
    async eventCount() {
      await settle();
      const [r] = await a.store.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
      return r!.n;
    },
    async close() {
      await app.close();
      await a.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
