import pg from 'pg';

/**
 * Where an instance stands: `held` (it leads), `follower` (another instance leads, or nobody yet
 * and this one is competing), `lost` (its last check failed: it cannot reach PostgreSQL, so it
 * neither leads nor knows who does).
 */
export type LeaseStatus = 'held' | 'follower' | 'lost';

export interface LeaseState {
  readonly status: LeaseStatus;
  /** Why it last changed ("lease acquired", "lease check failed: ..."). */
  readonly reason: string;
  /** When it last changed (ISO 8601). */
  readonly since: string;
}

export interface LeaderLease {
  /** Whether this instance holds the lease now. */
  isLeader(): boolean;
  /** The lease as `/health/aggregate` reports it. */
  state(): LeaseState;
  /** Stop competing and release the lease (idempotent). */
  close(): Promise<void>;
}

export interface AdvisoryLeaseOptions {
  /** PostgreSQL connection string (the event store's; its search_path scopes the lease). Required. */
  readonly connectionString: string;
  /** Lease name; instances with the same name and schema elect one leader. Required. */
  readonly name: string;
  /** How often a follower tries to take the lease and the leader checks it still holds it (ms). Default 5000. */
  readonly intervalMs?: number;
  /** Deadline of each check (ms): a frozen connection loses the lease. Default 3000. */
  readonly checkTimeoutMs?: number;
  /** Told on every change of leadership. */
  readonly onChange?: (leader: boolean, reason: string) => void;
}

/**
 * Leader election on a PostgreSQL session advisory lock (`pg_try_advisory_lock`), held on a
 * connection of its own. The lock lives exactly as long as that session: a leader that crashes
 * (SIGKILL) or loses its connection releases it at once, and a follower takes it at its next
 * check, so a handover takes at most one interval after PostgreSQL sees the session end. A
 * leader whose check fails or times out steps down before anyone else can lead. Written on `pg`
 * directly: a lease is one query on a timer, and no lease library fits a plain advisory lock.
 * @example
 * const lease = createAdvisoryLease({ connectionString, name: 'rollout-controller', intervalMs: 5000 });
 * if (lease.isLeader()) await controller.tick();
 */
export function createAdvisoryLease(options: AdvisoryLeaseOptions): LeaderLease {
  const intervalMs = options.intervalMs ?? 5000;
  const checkTimeoutMs = options.checkTimeoutMs ?? 3000;
  let client: pg.Client | undefined;
  let leader = false;
  let closed = false;
  let running: Promise<void> = Promise.resolve();
  let state: LeaseState = { status: 'follower', reason: 'competing', since: new Date().toISOString() };
  const status = (next: LeaseStatus, reason: string): void => {
    if (next !== state.status) state = { status: next, reason, since: new Date().toISOString() };
  };
  const set = (next: boolean, reason: string): void => {
    if (next === leader) return;
    leader = next;
    options.onChange?.(next, reason);
  };
  const drop = (): void => {
    const c = client;
    client = undefined;
    c?.removeAllListeners('error');
    c?.on('error', () => undefined);
    void c?.end().catch(() => undefined);
  };
  const check = async (): Promise<void> => {
    if (closed) return;
    try {
      if (!client) {
        const c = new pg.Client({ connectionString: options.connectionString, connectionTimeoutMillis: checkTimeoutMs, query_timeout: checkTimeoutMs, keepAlive: true });
        c.on('error', () => {
          if (client === c) {
            drop();
            set(false, 'lease connection lost');
            status('lost', 'lease connection lost');
          }
        });
        await c.connect();
        client = c;
      }
      if (leader) {
        await client.query('SELECT 1');
      } else {
        const r = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext(current_schema() || ':' || $1::text)) AS ok", [options.name]);
        if (r.rows[0]?.ok === true) set(true, 'lease acquired');
      }
      status(leader ? 'held' : 'follower', leader ? 'lease acquired' : 'another instance holds the lease');
    } catch (e) {
      drop();
      const reason = `lease check failed: ${(e as Error).message}`;
      set(false, reason);
      status('lost', reason);
    }
  };
  const loop = (): void => {
    running = check();
  };
  loop();
  const timer = setInterval(() => {
    void running.then(loop);
  }, intervalMs);
  timer.unref();
  return {
    isLeader: () => leader && !closed,
    state: () => state,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await running;
      if (leader) set(false, 'lease released');
      status('follower', 'lease released');
      drop();
    },
  };
}

/** The lease of a single process (embedded storage): always the leader. */
export const soleLeader = (): LeaderLease => {
  const state: LeaseState = { status: 'held', reason: 'single process (embedded storage)', since: new Date().toISOString() };
  return { isLeader: () => true, state: () => state, close: async () => undefined };
};
