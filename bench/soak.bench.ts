import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createClient } from 'redis';
import type { NewEvent } from '../src/core/events.js';
import { createPgliteEventStore } from '../src/log/events/pglite-event-store.js';
import { createPostgresEventStore } from '../src/log/events/postgres-event-store.js';
import type { SqlEventStore } from '../src/log/events/sql-event-store.js';
import { decisionEvent, outcomeEvent } from '../src/log/events/testing/fixtures.js';
import { defaultProjections } from '../src/runtime/projections.js';
import { fig, quantile, type BenchSuite, type Figure } from './harness.js';

/**
 * Soak: the built CLI (`apprentice serve`) over a pre-filled log, first idle, then under a
 * steady open-loop decide + outcome load at a fixed rate. Settings (argv after `--`, or env):
 *   --events N   (BENCH_SOAK_EVENTS, default 1,000,000)  events in the log before the start
 *   --minutes M  (BENCH_SOAK_MINUTES, default 10)        minutes of load
 *   --rate R     (BENCH_SOAK_RATE, default 500)          decisions per second in server mode (each with an outcome)
 *   --embedded-rate R (BENCH_SOAK_EMBEDDED_RATE, default 100) the same in embedded mode: one process,
 *                PGlite on its event loop, meant for one machine's agents (the seeds plan 50/s)
 *   --modes m,n  (BENCH_SOAK_MODES, default server,embedded)
 *   --cli FILE   (BENCH_SOAK_CLI, default dist/bin/apprentice.js; run `npm run build` first)
 */
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

function arg(name: string, env: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? process.env[env] ?? dflt;
}
const EVENTS = Number(arg('events', 'BENCH_SOAK_EVENTS', '1000000'));
const MINUTES = Number(arg('minutes', 'BENCH_SOAK_MINUTES', '10'));
const RATES = { server: Number(arg('rate', 'BENCH_SOAK_RATE', '500')), embedded: Number(arg('embedded-rate', 'BENCH_SOAK_EMBEDDED_RATE', '100')) };
const MODES = arg('modes', 'BENCH_SOAK_MODES', 'server,embedded').split(',');
const CLI = arg('cli', 'BENCH_SOAK_CLI', join(import.meta.dirname, '..', 'dist', 'bin', 'apprentice.js'));
const IDLE_S = 30;
const AGENT = 'soak-agent';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Decision + outcome pairs, oldest first, spread over the last days (so partitions hold them). */
async function prefill(store: SqlEventStore, n: number): Promise<void> {
  const start = Date.now() - 3 * 86_400_000;
  const step = (3 * 86_400_000) / n;
  const batch = 5000;
  for (let i = 0; i < n; i += batch) {
    const events: NewEvent[] = [];
    for (let j = i; j < Math.min(n, i + batch); j += 2) {
      const t = new Date(start + j * step);
      const d = decisionEvent({ agent: AGENT, unitId: `u-${j}`, value: j % 7, deterministic: j % 7, features: { size: j % 100, kind: j % 3 } }, t);
      events.push(d);
      if (j + 1 < n) events.push(outcomeEvent(d.data.decisionId, { agent: AGENT, value: (j % 7) + 0.5, reward: undefined }, new Date(t.getTime() + 1)));
    }
    await store.append(events);
    if ((i / batch) % 20 === 0) process.stderr.write(`\r  prefill ${i + events.length}/${n}`);
  }
  process.stderr.write('\n');
}

interface Proc {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

async function startServe(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<Proc> {
  const clean = { ...process.env };
  delete clean.DATABASE_URL;
  delete clean.REDIS_URL;
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { env: { ...clean, APPRENTICE_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20_000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${out}`)), 600_000);
    child.stderr?.on('data', (c: Buffer) => {
      out = (out + c.toString()).slice(-20_000);
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** CPU seconds (user + system) of a process, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Rows read by scans (sequential + index) of the soak database's tables, from pg_stat. */
async function rowsRead(c: pg.Client): Promise<number> {
  await c.query('SELECT pg_stat_clear_snapshot()');
  const r = await c.query<{ n: string }>(`SELECT (coalesce(sum(seq_tup_read), 0) + coalesce(sum(idx_tup_fetch), 0))::text AS n FROM pg_stat_user_tables`);
  return Number(r.rows[0]!.n);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(url: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let b = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (b += c));
        res.on('end', () => resolve(b));
      })
      .on('error', reject);
  });
}

/** What one /metrics scrape says about memory: V8 heap used, and entries held by bounded maps (by component). */
interface MemorySample {
  readonly t: number;
  readonly heapMb: number;
  /** Memory of C++ objects bound to JS ones (Buffers of sockets and files...), V8's `external`. */
  readonly externalMb: number;
  readonly bounded: Record<string, number>;
}
async function memorySample(url: string, t: number): Promise<MemorySample | undefined> {
  try {
    const text = await get(`${url}/metrics`);
    const heap = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
    const external = /^nodejs_external_memory_bytes (\S+)$/m.exec(text);
    const bounded: Record<string, number> = {};
    for (const m of text.matchAll(/^apprentice_bounded_entries\{component="([^"]+)"\} (\S+)$/gm)) bounded[m[1]!] = Number(m[2]);
    return { t, heapMb: heap ? Number(heap[1]) / 1048576 : NaN, externalMb: external ? Number(external[1]) / 1048576 : NaN, bounded };
  } catch {
    return undefined;
  }
}

interface Minute {
  ok: number;
  errors: number;
  latencies: number[];
}

interface ModeResult {
  readonly minutes: Minute[];
  readonly rss: { t: number; mb: number }[];
  readonly memory: MemorySample[];
  readonly idleCpuPct: number;
  readonly idleRowsPerS: number | undefined;
  readonly startupS: number;
  /** Server mode: Redis `used_memory` (the shared instance) every 5 s of the load. */
  readonly redisMb?: { t: number; mb: number }[];
}

/** Open-loop load: requests are issued on schedule whether or not earlier ones have returned. */
async function load(url: string, pid: number, minutes: number, rate: number): Promise<Pick<ModeResult, 'minutes' | 'rss' | 'memory'>> {
  const out: Minute[] = Array.from({ length: minutes }, () => ({ ok: 0, errors: 0, latencies: [] }));
  const rss: { t: number; mb: number }[] = [];
  const t0 = performance.now();
  const end = t0 + minutes * 60_000;
  let sent = 0;
  let inflight = 0;
  let lastRss = 0;
  let lastScrape = -Infinity;
  const memory: MemorySample[] = [];
  while (performance.now() < end) {
    const now = performance.now();
    const due = Math.floor(((now - t0) / 1000) * rate);
    while (sent < due && inflight < 2000) {
      const i = sent++;
      inflight++;
      const started = performance.now();
      const minute = Math.floor((started - t0) / 60_000);
      void (async () => {
        try {
          const r = await post(`${url}/api/v1/agents/${AGENT}/decide`, { unitId: `live-${i}`, context: { size: i % 100, kind: i % 3 }, deterministic: i % 7 });
          const m = out[minute];
          if (r.status !== 200) {
            if (m) m.errors++;
            return;
          }
          if (m) {
            m.ok++;
            m.latencies.push(performance.now() - started);
          }
          const { decisionId } = JSON.parse(r.body) as { decisionId: string };
          const o = await post(`${url}/api/v1/decisions/${decisionId}/outcome`, { value: (i % 7) + 0.5 });
          if (o.status !== 202 && m) m.errors++;
        } catch {
          const m = out[minute];
          if (m) m.errors++;
        } finally {
          inflight--;
        }
      })();
    }
    if (now - lastRss >= 5000) {
      lastRss = now;
      rss.push({ t: (now - t0) / 1000, mb: rssMb(pid) });
    }
    if (now - lastScrape >= 60_000) {
      lastScrape = now;
      const t = (now - t0) / 1000;
      void memorySample(url, t).then((m) => m && memory.push(m));
    }
    await sleep(5);
  }
  const drainBy = performance.now() + 30_000;
  while (inflight > 0 && performance.now() < drainBy) await sleep(20);
  const last = await memorySample(url, (performance.now() - t0) / 1000);
  if (last) memory.push(last);
  return { minutes: out, rss, memory };
}

/**
 * Wait until the service is quiet (startup catch-up done): in each of 4 windows of 5 s in a row,
 * its CPU below 5% and (server mode) no row read from PostgreSQL; or 20 minutes. One quiet
 * window is not enough: the learners' first pass over a prefilled log is paused by the
 * throttle's impact probe (5 s every 60 s) and while the event loop is hot, so a single window
 * could fall in a pause and the catch-up that followed was counted as idle CPU (29% in the
 * embedded soak of 2026-12-04). In server mode the catch-up's work is largely PostgreSQL's, not
 * the service's CPU: a settle on CPU alone measured 6,890 rows read a second as "idle".
 */
async function settle(pid: number, stat: pg.Client | undefined): Promise<number> {
  const t0 = performance.now();
  let quiet = 0;
  let rows = stat ? await rowsRead(stat) : 0;
  for (;;) {
    const c0 = cpuSeconds(pid);
    await sleep(5000);
    const pct = ((cpuSeconds(pid) - c0) / 5) * 100;
    const now = stat ? await rowsRead(stat) : 0;
    quiet = pct < 5 && now === rows ? quiet + 1 : 0;
    rows = now;
    if (quiet >= 4 || performance.now() - t0 > 1_200_000) return (performance.now() - t0) / 1000;
  }
}

async function runMode(mode: 'server' | 'embedded'): Promise<ModeResult> {
  const dir = mkdtempSync(join(tmpdir(), `apprentice-soak-${mode}-`));
  const db = `soak_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  let stat: pg.Client | undefined;
  let proc: Proc | undefined;
  try {
    let env: NodeJS.ProcessEnv = { APPRENTICE_DATA_DIR: dir };
    if (mode === 'server') {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      const url = new URL(PG_URL);
      url.pathname = `/${db}`;
      const store = createPostgresEventStore({ connectionString: url.toString(), projections: defaultProjections });
      await store.migrate();
      await prefill(store, EVENTS);
      await store.close();
      // A decision cache TTL of 2 minutes (default 15): the cache is full by minute 2, so Redis
      // growth after it shows whatever else grows with the traffic (an untrimmed stream did).
      env = { ...env, DATABASE_URL: url.toString(), REDIS_URL, APPRENTICE_REDIS_PREFIX: `${db}:`, APPRENTICE_DECISION_CACHE_TTL_SECONDS: '120' };
      stat = new pg.Client({ connectionString: url.toString() });
      await stat.connect();
    } else {
      const store = await createPgliteEventStore({ dataDir: join(dir, 'pgdata'), projections: defaultProjections });
      await store.migrate();
      await prefill(store, EVENTS);
      await store.close();
    }
    process.stderr.write(`  ${mode}: starting the service over ${EVENTS} events\n`);
    proc = await startServe(env, []);
    const pid = proc.child.pid!;
    const startupS = await settle(pid, stat);
    // Idle: CPU and rows read over IDLE_S seconds. pg_stat counters of an idle backend are
    // flushed within ~10 s, so the catch-up's reads are let through before the first sample.
    if (stat) await sleep(11_000);
    const r0 = stat ? await rowsRead(stat) : 0;
    const c0 = cpuSeconds(pid);
    await sleep(IDLE_S * 1000);
    const idleCpuPct = ((cpuSeconds(pid) - c0) / IDLE_S) * 100;
    let idleRowsPerS: number | undefined;
    if (stat) {
      await sleep(11_000);
      idleRowsPerS = ((await rowsRead(stat)) - r0) / (IDLE_S + 11);
    }
    process.stderr.write(`  ${mode}: idle CPU ${idleCpuPct.toFixed(2)}%, rows read/s ${idleRowsPerS ?? 'n/a'}; load ${RATES[mode]}/s for ${MINUTES} min\n`);
    let redisMb: { t: number; mb: number }[] | undefined;
    let sampler: NodeJS.Timeout | undefined;
    const info = mode === 'server' ? createClient({ url: REDIS_URL }) : undefined;
    if (info) {
      await info.connect();
      const samples: { t: number; mb: number }[] = (redisMb = []);
      const t0 = performance.now();
      const sample = async (): Promise<void> => {
        const m = /used_memory:(\d+)/.exec(await info.info('memory'));
        if (m) samples.push({ t: (performance.now() - t0) / 1000, mb: Number(m[1]) / 1_048_576 });
      };
      await sample();
      sampler = setInterval(() => void sample().catch(() => undefined), 5000);
    }
    try {
      const l = await load(proc.url, pid, MINUTES, RATES[mode]);
      return { ...l, idleCpuPct, idleRowsPerS, startupS, ...(redisMb ? { redisMb } : {}) };
    } finally {
      clearInterval(sampler);
      await info?.quit();
    }
  } finally {
    await proc?.stop();
    await stat?.end();
    if (mode === 'server') {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      // The service's Redis keys (streams, decision cache) under its prefix.
      const redis = createClient({ url: REDIS_URL });
      await redis.connect();
      for await (const keys of redis.scanIterator({ MATCH: `${db}:*`, COUNT: 1000 })) if (keys.length > 0) await redis.del(keys);
      await redis.quit();
      await admin.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function figures(mode: 'server' | 'embedded', r: ModeResult): Figure[] {
  const RATE = RATES[mode];
  const first = r.minutes[0]!;
  const last = r.minutes[r.minutes.length - 1]!;
  const p99 = (m: Minute) => quantile(Float64Array.from(m.latencies).sort(), 0.99);
  const tput = last.ok / first.ok;
  const p99r = p99(last) / p99(first);
  const after2 = r.rss.filter((s) => s.t >= 120);
  const growth = after2.length >= 2 ? after2[after2.length - 1]!.mb - after2[0]!.mb : NaN;
  // Where the growth went: the V8 heap and the bounded maps, minute 2 against the end.
  const m2 = r.memory.find((m) => m.t >= 110);
  const mEnd = r.memory[r.memory.length - 1];
  const sum = (m: MemorySample) => Object.values(m.bounded).reduce((a, b) => a + b, 0);
  const grew =
    m2 && mEnd
      ? `; V8 heap used ${m2.heapMb.toFixed(0)} → ${mEnd.heapMb.toFixed(0)} MB, external ${m2.externalMb.toFixed(0)} → ${mEnd.externalMb.toFixed(0)} MB, bounded entries ${sum(m2)} → ${sum(mEnd)} (${Object.entries(mEnd.bounded)
          .filter(([, n]) => n > 0)
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')})`
      : '';
  const errors = r.minutes.reduce((n, m) => n + m.errors, 0);
  const lastN = r.minutes.length;
  const note = `${EVENTS} events, ${RATE}/s for ${lastN} min; min1 ${first.ok} ok p99 ${p99(first).toFixed(1)} ms, min${lastN} ${last.ok} ok p99 ${p99(last).toFixed(1)} ms; ${errors} errors; startup catch-up ${r.startupS.toFixed(0)} s`;
  const out = [
    // A ratio only means something if the service kept up with the offered rate.
    fig({
      name: `soak-${mode}-throughput-ratio`,
      value: tput,
      unit: 'x',
      target: '>= 0.95, each minute >= 0.95x the offered rate',
      ok: tput >= 0.95 && first.ok >= 0.95 * RATE * 60 && last.ok >= 0.95 * RATE * 60,
      note: `${note}; offered ${RATE * 60}/min`,
    }),
    fig({ name: `soak-${mode}-p99-ratio`, value: p99r, unit: 'x', target: '<= 1.10', ok: p99r <= 1.1 }),
    fig({
      name: `soak-${mode}-rss-growth`,
      value: growth,
      unit: 'MB',
      target: '<= 50',
      ok: growth <= 50,
      note: `RSS ${after2[0]?.mb.toFixed(0)} → ${after2[after2.length - 1]?.mb.toFixed(0)} MB after minute 2 (max ${Math.max(...r.rss.map((s) => s.mb)).toFixed(0)})${grew}`,
    }),
    fig({ name: `soak-${mode}-idle-cpu`, value: r.idleCpuPct, unit: '% core', target: '<= 2', ok: r.idleCpuPct <= 2 }),
  ];
  const redisAfter2 = (r.redisMb ?? []).filter((x) => x.t >= 120);
  if (redisAfter2.length >= 2) {
    const g = redisAfter2[redisAfter2.length - 1]!.mb - redisAfter2[0]!.mb;
    out.push(
      fig({
        name: `soak-${mode}-redis-growth`,
        value: g,
        unit: 'MB',
        target: '<= 50',
        ok: g <= 50,
        note: `Redis used_memory ${redisAfter2[0]!.mb.toFixed(0)} → ${redisAfter2[redisAfter2.length - 1]!.mb.toFixed(0)} MB after minute 2 (max ${Math.max(...(r.redisMb ?? []).map((x) => x.mb)).toFixed(0)}); decision cache TTL 120 s, so the cache is full by then; the bus stream is trimmed every 5 s`,
      }),
    );
  }
  if (r.idleRowsPerS !== undefined)
    out.push(fig({ name: `soak-${mode}-idle-rows-read`, value: r.idleRowsPerS, unit: 'rows/s', target: '= 0', ok: r.idleRowsPerS === 0, note: 'pg_stat_user_tables seq_tup_read + idx_tup_fetch' }));
  return out;
}

const suite: BenchSuite = {
  name: 'soak',
  figures: ['soak'],
  async run() {
    if (!existsSync(CLI)) throw new Error(`${CLI} not found: run \`npm run build\` first`);
    const out: Figure[] = [];
    for (const mode of MODES) {
      if (mode !== 'server' && mode !== 'embedded') throw new Error(`unknown soak mode ${mode}`);
      const figs = figures(mode, await runMode(mode));
      // Each mode takes over ten minutes: show its figures as soon as they are known.
      for (const f of figs) process.stderr.write(`  ${f.name} ${f.value} ${f.unit} (target ${f.target})${f.note ? ` ${f.note}` : ''}\n`);
      out.push(...figs);
    }
    return out;
  },
};
export default suite;
