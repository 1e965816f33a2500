import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresEventStore, createRedisBus } from '../../src/log/index.js';
import { freePort } from '../../src/log/bus/testing/private-redis.js';
import { startCli, type RunningServer } from '../support/cli-process.js';
import { pollUntil } from '../support/poll-until.js';

const run = promisify(execFile);

/**
 * Issue 14, "TLS everywhere": `rediss://` and PostgreSQL `sslmode`, with a certificate authority
 * and a server certificate (SAN IP:127.0.0.1) that this test makes with openssl. It starts its
 * own servers, never touching the shared ones: a `redis-server` listening on TLS only
 * (`--port 0 --tls-port P`), and a private PostgreSQL cluster (initdb + pg_ctl as the postgres
 * user, on a free port, `ssl=on`) whose pg_hba admits TLS connections only (`hostssl`), so a
 * plain connection is refused. Checked: the event store over `sslmode=verify-full` with
 * `sslrootcert=` (the server reports the session encrypted), the same URL refused with a
 * foreign CA and with `sslmode=disable`; the Redis bus refused on `rediss://` by a process that
 * does not trust the CA, and a whole `serve` with `NODE_EXTRA_CA_CERTS` storing a decision in
 * PostgreSQL through the Redis bus, both over TLS.
 */

const PG_BIN = (() => {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return join('/usr/lib/postgresql', versions[0]!, 'bin');
})();

describe('TLS to Redis (rediss://) and PostgreSQL (sslmode), with a CA made by the test', () => {
  let dir: string;
  let redis: ChildProcess | undefined;
  let redisPort: number;
  let pgPort: number;
  let pgData: string;
  let pgStarted = false;
  let server: RunningServer | undefined;
  const ca = () => join(dir, 'ca.pem');
  const pgUrl = (query: string) => `postgres://postgres@127.0.0.1:${pgPort}/postgres?${query}`;
  const asPostgres = (cmd: string, args: readonly string[]) => run('runuser', ['-u', 'postgres', '--', cmd, ...args]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-tls-'));
    chmodSync(dir, 0o755); // the postgres user reads its certificate from here
    const ssl = (...args: string[]) => run('openssl', args, { cwd: dir });
    await ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=apprentice test CA');
    await ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '2', '-subj', '/CN=another CA');
    await ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    await ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');

    // Redis on TLS only.
    redisPort = await freePort();
    const proc = spawn(
      'redis-server',
      ['--port', '0', '--tls-port', String(redisPort), '--bind', '127.0.0.1', '--tls-cert-file', join(dir, 'server.pem'), '--tls-key-file', join(dir, 'server.key'), '--tls-ca-cert-file', ca(), '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    redis = proc;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      proc.stdout?.on('data', (c: Buffer) => {
        output += c.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`redis-server (TLS) exited (${code}): ${output}`)));
    });

    // A private PostgreSQL cluster with ssl=on that admits TLS connections only.
    pgPort = await freePort();
    pgData = join(dir, 'pgdata');
    mkdirSync(pgData, { mode: 0o700 });
    const pgSsl = join(dir, 'pg-ssl');
    mkdirSync(pgSsl);
    for (const f of ['server.pem', 'server.key']) writeFileSync(join(pgSsl, f), readFileSync(join(dir, f)), { mode: 0o600 });
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    for (const p of [pgData, pgSsl, join(pgSsl, 'server.pem'), join(pgSsl, 'server.key')]) chownSync(p, uid, gid);
    await asPostgres(join(PG_BIN, 'initdb'), ['-D', pgData, '-U', 'postgres', '-A', 'trust', '--no-sync']);
    writeFileSync(join(pgData, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n');
    await asPostgres(join(PG_BIN, 'pg_ctl'), [
      '-D', pgData, '-l', join(pgData, 'server.log'), '-w', '-t', '60', 'start',
      '-o', `-p ${pgPort} -k ${pgData} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=${join(pgSsl, 'server.pem')} -c ssl_key_file=${join(pgSsl, 'server.key')} -c fsync=off`,
    ]);
    pgStarted = true;
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    if (pgStarted) await asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', pgData, '-m', 'immediate', 'stop']).catch(() => undefined);
    if (redis && redis.exitCode === null && redis.signalCode === null) {
      const exited = once(redis, 'exit');
      redis.kill('SIGKILL');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('PostgreSQL: sslmode=verify-full with the CA connects encrypted; a foreign CA and sslmode=disable are refused', { timeout: 60_000 }, async () => {
    const store = createPostgresEventStore({ connectionString: pgUrl(`sslmode=verify-full&sslrootcert=${encodeURIComponent(ca())}`) });
    try {
      await store.migrate();
      const [row] = await store.query<{ ssl: boolean; version: string }>('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(row).toMatchObject({ ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) });
    } finally {
      await store.close();
    }
    const foreign = createPostgresEventStore({ connectionString: pgUrl(`sslmode=verify-full&sslrootcert=${encodeURIComponent(join(dir, 'other-ca.pem'))}`) });
    await expect(foreign.query('SELECT 1')).rejects.toThrow(/self[- ]signed|unable to (verify|get)|certificate/i);
    await foreign.close().catch(() => undefined);
    const plain = createPostgresEventStore({ connectionString: pgUrl('sslmode=disable') });
    await expect(plain.query('SELECT 1')).rejects.toThrow(/no pg_hba\.conf entry .*no encryption/);
    await plain.close().catch(() => undefined);
  });

  it('Redis: a process that does not trust the CA is refused on rediss://, and plain redis:// gets no answer from the TLS port', { timeout: 60_000 }, async () => {
    await expect(createRedisBus({ url: `rediss://127.0.0.1:${redisPort}`, connectTimeoutMs: 3000 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await expect(createRedisBus({ url: `redis://127.0.0.1:${redisPort}`, connectTimeoutMs: 1500 })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('serve over rediss:// and sslmode=verify-full (NODE_EXTRA_CA_CERTS): a decision goes through the TLS bus into the TLS store', { timeout: 180_000 }, async () => {
    const config = join(dir, 'apprentice.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        databaseUrl: pgUrl(`sslmode=verify-full&sslrootcert=${encodeURIComponent(ca())}`),
        redisUrl: `rediss://127.0.0.1:${redisPort}`,
        logLevel: 'silent',
        learningThrottle: false,
      }),
    );
    server = await startCli(['serve', '--config', config, '--data-dir', join(dir, 'data'), '--port', '0'], { NODE_EXTRA_CA_CERTS: ca() }, undefined, undefined, 120_000);
    const health = (await (await fetch(`${server.url}/health/aggregate`)).json()) as { components: { component: string; status: string; error?: string }[] };
    const status = (c: string) => health.components.find((x) => x.component === c);
    expect(status('event-store:postgres')).toMatchObject({ status: 'ok' });
    expect(status('bus:redis')).toMatchObject({ status: 'ok' });
    expect(status('cache:redis')).toMatchObject({ status: 'ok' });
    const put = await fetch(`${server.url}/api/v1/agents/tls-agent`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'classification', labels: ['a', 'b'], feedback: 'label', features: [{ name: 'x', type: 'numeric' }] }),
    });
    expect(put.status, await put.clone().text()).toBeLessThan(300);
    const d = await fetch(`${server.url}/api/v1/agents/tls-agent/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unitId: 'u1', context: { x: 1 }, deterministic: 'a' }),
    });
    expect(d.status, await d.clone().text()).toBe(200);
    const { decisionId } = (await d.json()) as { decisionId: string };
    // Stored: the projector consumed it from the TLS Redis stream into the TLS PostgreSQL.
    const store = createPostgresEventStore({ connectionString: pgUrl(`sslmode=verify-full&sslrootcert=${encodeURIComponent(ca())}`) });
    try {
      await pollUntil(async () => (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM decisions WHERE decision_id = $1', [decisionId]))[0]?.n === 1, {
        timeoutMs: 60_000,
        intervalMs: 200,
        message: 'the decision stored in PostgreSQL',
      });
      const [tls] = await store.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = 'postgres' AND NOT s.ssl AND a.backend_type = 'client backend'");
      expect(tls?.n, 'no plain client session').toBe(0);
    } finally {
      await store.close();
    }
  });
});

