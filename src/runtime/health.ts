import type { RedisClientType } from 'redis';
import type { LearningBus } from '../log/index.js';
import type { AsyncLearningWriter } from '../decisions/index.js';
import type { EventStore } from '../log/index.js';
import type { Projector } from '../log/index.js';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface ComponentHealth {
  readonly component: string;
  readonly status: HealthStatus;
  readonly detail?: Record<string, unknown>;
  readonly error?: string;
}

const probe = async (component: string, fn: () => Promise<unknown>, timeoutMs = 1000): Promise<ComponentHealth> => {
  let t: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise((_, rej) => (t = setTimeout(() => rej(new Error('timed out')), timeoutMs)))]);
    return { component, status: 'ok' };
  } catch (e) {
    return { component, status: 'down', error: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(t);
  }
};

/** Every component's status for `GET /health/aggregate`. */
export async function componentHealth(p: {
  store: EventStore;
  bus: LearningBus;
  writer: AsyncLearningWriter;
  projector: Projector | undefined;
  redis: RedisClientType | undefined;
}): Promise<ComponentHealth[]> {
  const [store, bus] = await Promise.all([
    probe(`event-store:${p.store.kind}`, () => p.store.ping()),
    probe(`bus:${p.bus.kind}`, () => p.bus.ping()),
  ]);
  const w = p.writer.stats();
  const out: ComponentHealth[] = [
    store,
    bus,
    {
      component: 'writer',
      status: w.busUp ? 'ok' : 'degraded',
      detail: { buffered: w.buffered, published: w.published, spooled: w.spooled, replayed: w.replayed },
    },
  ];
  if (p.redis) out.push(await probe('cache:redis', () => p.redis!.ping()));
  else out.push({ component: 'cache:memory', status: 'ok' });
  if (p.projector) {
    const s = p.projector.stats();
    out.push({ component: 'projector', status: s.running ? (s.storeErrors > 0 && store.status !== 'ok' ? 'degraded' : 'ok') : 'down', detail: { ...s } });
  }
  return out;
}
