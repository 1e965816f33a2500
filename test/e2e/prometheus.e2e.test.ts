import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningServer } from '../support/cli-process.js';

// A real Prometheus scrapes `apprentice serve` every second and evaluates the project's alert
// rules (a copy with every `for:` shortened to 1s); a real Alertmanager sends the firing
// accuracy alert to apprentice's webhook, which opens the agent's breakers and audits it.
// The accuracy gauge is driven through the test-only hook (APPRENTICE_OPS_TEST_HOOKS=1).

const root = join(import.meta.dirname, '..', '..');
const AGENT = 'debugger';

interface Daemon {
  readonly name: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

/** Starts one of scripts/monitoring/run-*.sh (which exec the daemon) and waits for `/-/ready`. */
async function startDaemon(
  name: string,
  script: string,
  args: readonly string[],
  address: string,
): Promise<Daemon> {
  const child: ChildProcess = spawn('sh', [join(root, 'scripts', 'monitoring', script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const daemon: Daemon = {
    name,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  await waitFor(`${name} ready`, 30_000, async () => {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${out}`);
    const r = await fetch(`http://${address}/-/ready`).catch(() => undefined);
    return r?.ok === true ? true : undefined;
  });
  return daemon;
}

/** Polls `probe` every 250 ms until it returns a value; fails after `ms`. */
async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof Error && / exited with /.test(e.message)) throw e;
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Prometheus → Alertmanager → apprentice remediation (real daemons)', () => {
  let dir: string;
  let apprentice: RunningServer | undefined;
  const daemons: Daemon[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-prom-e2e-'));
  });
  afterAll(async () => {
    for (const d of daemons.reverse()) await d.stop();
    await apprentice?.stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'a firing accuracy alert reaches the webhook and apprentice opens the breakers, audited',
    { timeout: 180_000 },
    async () => {
      apprentice = await startCli(['serve', '--data-dir', join(dir, 'apprentice'), '--port', '0'], {
        APPRENTICE_LOG_LEVEL: 'silent',
        APPRENTICE_OPS_TEST_HOOKS: '1',
      });
      const api = apprentice.url;
      const breakers = await fetch(`${api}/api/v1/circuit-breakers`);
      expect(
        breakers.status,
        'ops routes missing from `apprentice serve`: add opsServeExtension() to serve',
      ).toBe(200);
      const setAccuracy = async (value: number): Promise<void> => {
        const r = await fetch(`${api}/api/v1/ops/test/gauges/apprentice_model_accuracy`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ labels: { agent: AGENT, version: '1' }, value }),
        });
        expect(r.status).toBe(200);
      };
      await setAccuracy(0.9);

      const amAddress = `127.0.0.1:${await freePort()}`;
      writeFileSync(
        join(dir, 'alertmanager.yml'),
        [
          'route:',
          '  receiver: apprentice',
          '  group_by: [alertname, agent]',
          '  group_wait: 1s',
          '  group_interval: 1s',
          '  repeat_interval: 1h',
          'receivers:',
          '  - name: apprentice',
          '    webhook_configs:',
          `      - url: ${api}/api/v1/alerts/webhook`,
          '        send_resolved: true',
          '',
        ].join('\n'),
      );
      daemons.push(
        await startDaemon(
          'alertmanager',
          'run-alertmanager.sh',
          [join(dir, 'alertmanager.yml'), join(dir, 'am-data'), amAddress],
          amAddress,
        ),
      );

      // The project's rules, with every `for:` shortened so the test needs seconds, not minutes.
      const rules = readFileSync(
        join(root, 'monitoring', 'prometheus', 'rules', 'apprentice.rules.yml'),
        'utf8',
      ).replace(/^(\s+for:\s*)\S+\s*$/gm, '$11s');
      writeFileSync(join(dir, 'apprentice.rules.yml'), rules);
      const promAddress = `127.0.0.1:${await freePort()}`;
      writeFileSync(
        join(dir, 'prometheus.yml'),
        [
          'global:',
          '  scrape_interval: 1s',
          '  evaluation_interval: 1s',
          'rule_files:',
          `  - ${join(dir, 'apprentice.rules.yml')}`,
          'alerting:',
          '  alertmanagers:',
          '    - static_configs:',
          `        - targets: ['${amAddress}']`,
          'scrape_configs:',
          '  - job_name: apprentice',
          '    static_configs:',
          `      - targets: ['${new URL(api).host}']`,
          '',
        ].join('\n'),
      );
      daemons.push(
        await startDaemon(
          'prometheus',
          'run-prometheus.sh',
          [join(dir, 'prometheus.yml'), join(dir, 'prom-data'), promAddress],
          promAddress,
        ),
      );

      const query = async (q: string): Promise<{ value: [number, string] }[]> => {
        const r = await fetch(`http://${promAddress}/api/v1/query?query=${encodeURIComponent(q)}`);
        return ((await r.json()) as { data: { result: { value: [number, string] }[] } }).data.result;
      };
      // Prometheus has scraped the healthy accuracy: it is the 6h maximum the alert compares with.
      await waitFor('the first accuracy sample in Prometheus', 60_000, async () =>
        (await query(`apprentice_model_accuracy{agent="${AGENT}"}`))[0]?.value[1] === '0.9'
          ? true
          : undefined,
      );
      await setAccuracy(0.5);

      const audit = await waitFor('AlertRemediated audit event', 90_000, async () => {
        const r = await fetch(`${api}/api/v1/events?type=AlertRemediated&limit=50`);
        const events = (
          (await r.json()) as {
            events: { data: Record<string, unknown>; metadata: Record<string, unknown> }[];
          }
        ).events;
        return events.find((e) => e.data.alertname === 'ApprenticeModelAccuracyDrop');
      }).catch((e: unknown) => {
        throw new Error(
          `${String(e)}\n--- prometheus:\n${daemons[1]?.output()}\n--- alertmanager:\n${daemons[0]?.output()}\n--- apprentice:\n${apprentice?.output()}`,
        );
      });
      expect(audit).toMatchObject({
        data: {
          alertname: 'ApprenticeModelAccuracyDrop',
          agent: AGENT,
          action: 'open_breaker',
          result: 'applied',
        },
        metadata: { actor: 'alertmanager' },
      });
      const after = (await (await fetch(`${api}/api/v1/circuit-breakers`)).json()) as {
        breakers: { agent: string; state: string }[];
      };
      const mine = after.breakers.filter((b) => b.agent === AGENT);
      expect(mine).toHaveLength(3);
      expect(mine.every((b) => b.state === 'isolated')).toBe(true);
      const metrics = await (await fetch(`${api}/metrics`)).text();
      expect(metrics).toMatch(
        /apprentice_alert_remediations_total\{alertname="ApprenticeModelAccuracyDrop",action="open_breaker",result="applied"\} 1/,
      );
    },
  );
});
