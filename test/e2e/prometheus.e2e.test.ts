import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type RunningServer } from '../support/cli-process.js';
import { buildDashboards } from '../../src/observability/metrics/dashboards/write-dashboards.js';

// A real Prometheus scrapes `apprentice serve` every second and evaluates the project's alert
// rules (a copy with every `for:` shortened to 1s); a real Alertmanager sends the firing alerts
// to apprentice's webhook, which remediates and audits. No gauge is set by hand: an agent learns
// a version that is accurate, the version serves a canary step, then the outcomes contradict it,
// so its live accuracy falls below its own maximum (ApprenticeModelAccuracyDrop) and below the
// rules (ApprenticeModelBelowRules). Then every dashboard panel's query is run against that
// Prometheus: each returns at least one series or is listed with the reason it is empty.

const root = join(import.meta.dirname, '..', '..');
const AGENT = 'triage';
const definition = { name: AGENT, kind: 'classification', feedback: 'label', labels: ['low', 'high'], features: [{ name: 'size', type: 'numeric' }] };

/** Dashboard panels with no series in this run, and why. */
const NO_STEP = 'no rollout step runs at snapshot time: ModelBelowRules rolled the canary back, and experiment figures exist only while a step runs';
const EMPTY_PANELS: Readonly<Record<string, string>> = {
  'ml-operations / Regression Error (MAE)': 'the only agent here has label outcomes (classification)',
  'ml-operations / Regression Error (RMSE)': 'the only agent here has label outcomes (classification)',
  'ml-infrastructure / Decision Cache Hit Ratio': 'the cached reader is read only by GET /api/v1/decisions/{id}, which this scenario never calls (hits and misses are 0, so the ratio is undefined)',
  'ml-operations / Prediction Errors': 'the model never throws, times out or answers outside its labels here',
  'ml-operations / Feature Drift Score': 'no drift window (1000 decisions) closes in this run',
  'ml-operations / Dataset Drift Share': 'no drift window (1000 decisions) closes in this run',
  'agent-performance / Rejected Requests': 'no decide request is rejected here',
  'ml-business-metrics / Experiment Effect': NO_STEP,
  'ml-business-metrics / Promotions': 'no rollout is promoted here',
  'ab-testing-overview / Business Impact': NO_STEP,
  'ab-testing-overview / Lowest p-value': NO_STEP,
  'ab-testing-overview / Outcome Mean by Variant': NO_STEP,
  'ab-testing-overview / p-value': NO_STEP,
  'ab-testing-overview / Effect': NO_STEP,
  'ab-testing-overview / SRM p-value': NO_STEP,
};

interface PanelLike {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly PanelLike[];
}
const queriesOf = (dashboard: string, panels: readonly PanelLike[]): { panel: string; expr: string }[] =>
  panels.flatMap((p) => [
    ...(p.targets ?? []).flatMap((t) => (t.expr ? [{ panel: `${dashboard} / ${p.title ?? '?'}`, expr: t.expr }] : [])),
    ...queriesOf(dashboard, p.panels ?? []),
  ]);
/** Grafana's variables as the dashboard would fill them for "All" over this run. */
const instantiate = (expr: string): string =>
  expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '10m').replaceAll('$agent', '.+').replaceAll('$__all', '.+');

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
    'a real degraded model fires ModelAccuracyDrop and ModelBelowRules; the webhook opens the breakers and rolls back, audited; every dashboard panel has data or a reason',
    { timeout: 420_000 },
    async () => {
      // Many test processes share two cores, so the event loop is never calm enough for the
      // learning throttle to let training resume: the server under test runs with it off.
      writeFileSync(join(dir, 'apprentice.config.json'), JSON.stringify({ learningThrottle: false }));
      apprentice = await startCli(['serve', '--config', join(dir, 'apprentice.config.json'), '--data-dir', join(dir, 'apprentice'), '--port', '0'], {
        APPRENTICE_LOG_LEVEL: 'silent',
      });
      const api = apprentice.url;
      const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
        const r = await fetch(`${api}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
        return { status: r.status, json: (await r.json().catch(() => ({}))) as Record<string, unknown> };
      };
      expect((await call('PUT', `/api/v1/agents/${AGENT}`, definition)).status).toBe(201);
      let unit = 0;
      let seed = 1;
      const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
      /** One decision and its outcome; the rules always answer `low`. */
      const decide = async (truth: (size: number) => 'low' | 'high'): Promise<void> => {
        const size = random();
        const d = await call('POST', `/api/v1/agents/${AGENT}/decide`, { unitId: `u-${unit++}`, context: { size }, deterministic: 'low' });
        expect(d.status).toBe(200);
        expect((await call('POST', `/api/v1/decisions/${String(d.json.decisionId)}/outcome`, { label: truth(size) })).status).toBe(202);
      };
      const truthful = (size: number): 'low' | 'high' => (size > 0.5 ? 'high' : 'low');
      /** Learning pauses while the event loop is throttled (production first): let it idle then. */
      const throttled = async (): Promise<boolean> => {
        const h = (await call('GET', '/health/aggregate')).json as { components?: { component: string; detail?: { throttled?: boolean } }[] };
        return h.components?.find((c) => c.component === 'learners')?.detail?.throttled === true;
      };
      // 1. The agent learns: the training loop registers its first version (alias `shadow`).
      const version = await waitFor('a first model version', 240_000, async () => {
        if (await throttled()) return undefined;
        for (let i = 0; i < 20; i++) await decide(truthful);
        const v = (await call('GET', `/api/v1/models/${AGENT}/versions`)).json as { aliases?: Record<string, number> };
        return v.aliases?.shadow;
      });
      // 2. It serves a canary step (5%); the same version predicts in shadow on the rest.
      expect((await call('POST', `/api/v1/rollouts/${AGENT}/advance`, { reason: 'e2e: accurate in shadow' })).status).toBe(200);
      for (let i = 0; i < 100; i++) await decide(truthful);

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
      const serving = `apprentice:model_serving_accuracy{agent="${AGENT}",version="${version}"}`;
      // Prometheus has scraped the healthy accuracy: the maximum the drop alert compares with.
      const healthy = await waitFor('the healthy serving accuracy in Prometheus', 60_000, async () => {
        const v = Number((await query(serving))[0]?.value[1]);
        return v > 0.8 ? v : undefined;
      });
      const rulesAccuracy = Number((await query(`apprentice_rules_accuracy{agent="${AGENT}"}`))[0]?.value[1]);
      expect(rulesAccuracy).toBeLessThan(healthy);

      // 3. The world changes: every outcome is `low`, so the model (answering `high` for large
      // sizes) is wrong half the time and the rules are always right.
      const events = async (type: string): Promise<{ data: Record<string, unknown>; metadata: Record<string, unknown> }[]> =>
        ((await call('GET', `/api/v1/events?type=${type}&limit=200`)).json as { events: { data: Record<string, unknown>; metadata: Record<string, unknown> }[] }).events;
      const remediated = async (alertname: string) => (await events('AlertRemediated')).find((e) => e.data.alertname === alertname);
      await waitFor('both accuracy alerts remediated', 150_000, async () => {
        if (!(await throttled())) for (let i = 0; i < 20; i++) await decide(() => 'low');
        return (await remediated('ApprenticeModelAccuracyDrop')) && (await remediated('ApprenticeModelBelowRules')) ? true : undefined;
      }).catch((e: unknown) => {
        throw new Error(
          `${String(e)}\n--- prometheus:\n${daemons[1]?.output()}\n--- alertmanager:\n${daemons[0]?.output()}\n--- apprentice:\n${apprentice?.output()}`,
        );
      });
      const audit = (await remediated('ApprenticeModelAccuracyDrop'))!;
      // The lowest value Prometheus recorded for the version (its series may end once the
      // remediation has rolled it back, so the instant value can be gone by now).
      const dropped = Number((await query(`min_over_time(apprentice_model_accuracy{agent="${AGENT}",version="${version}"}[15m])`))[0]?.value[1]);
      expect(dropped).toBeLessThan(0.95 * healthy);
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
      // ApprenticeModelBelowRules rolls the agent back to its rules, audited as the alert's action,
      // unless something rolled it back first: then the remediation is audited as skipped
      // ("already at 0% ml") and the rollback is the other's.
      const belowRules = (await remediated('ApprenticeModelBelowRules'))!;
      expect(belowRules).toMatchObject({
        data: { alertname: 'ApprenticeModelBelowRules', agent: AGENT, action: 'rollback' },
        metadata: { actor: 'alertmanager' },
      });
      const rollout = (await call('GET', `/api/v1/rollouts/${AGENT}`)).json as { state?: { phase?: string } };
      expect(rollout.state?.phase).toBe('rolled_back');
      const steps = await events('RolloutStepChanged');
      const rollbacks = steps.filter((e) => (e.data.after as { phase: string }).phase === 'rolled_back');
      const results = (await events('AlertRemediated'))
        .filter((e) => e.data.alertname === 'ApprenticeModelBelowRules')
        .map((e) => e.data as { result: string; detail?: string });
      expect(results.every((r) => r.result === 'applied' || (r.result === 'skipped' && /already at 0% ml/.test(r.detail ?? '')))).toBe(true);
      expect(rollbacks.length).toBeGreaterThanOrEqual(1);
      // Skipped means someone was first: another alert's remediation (the breakers it opened raise
      // ApprenticeFallbackRateHigh), the controller's loss test or the concept-drift monitor.
      if (results.some((r) => r.result === 'applied')) expect(rollbacks.some((e) => /ApprenticeModelBelowRules/.test(String(e.metadata.reason)))).toBe(true);
      else expect(rollbacks.every((e) => /^(alertmanager|controller|drift-monitor)$/.test(String(e.metadata.actor)))).toBe(true);
      const metrics = await (await fetch(`${api}/metrics`)).text();
      expect(metrics).toMatch(
        /apprentice_alert_remediations_total\{alertname="ApprenticeModelAccuracyDrop",action="open_breaker",result="applied"\} 1/,
      );

      // 4. Every dashboard panel's query against this Prometheus, once it has scraped the rollback twice.
      await waitFor('the rollback in Prometheus', 30_000, async () =>
        (await query(`count_over_time(apprentice_rollout_rollbacks_total{agent="${AGENT}"}[1m]) >= 2`)).length > 0 ? true : undefined,
      );
      const panels = Object.entries(buildDashboards()).flatMap(([name, d]) => queriesOf(name, (d as unknown as { panels?: PanelLike[] }).panels ?? []));
      expect(panels.length).toBeGreaterThan(40);
      const withData = new Set<string>();
      for (const p of panels) {
        const r = await fetch(`http://${promAddress}/api/v1/query?query=${encodeURIComponent(instantiate(p.expr))}`);
        const body = (await r.json()) as { status: string; error?: string; data?: { result: unknown[] } };
        expect(body.status, `${p.panel}: ${instantiate(p.expr)}: ${body.error ?? ''}`).toBe('success');
        if ((body.data?.result.length ?? 0) > 0) withData.add(p.panel);
      }
      // A panel shows data when any of its queries returns a series.
      const empty = [...new Set(panels.map((p) => p.panel))].filter((p) => !withData.has(p));
      mkdirSync(join(root, 'reports'), { recursive: true });
      writeFileSync(join(root, 'reports', 'dashboard-snapshot.json'), JSON.stringify({ panels: panels.length, empty }, null, 2));
      expect(empty.filter((p) => !(p in EMPTY_PANELS))).toEqual([]);
    },
  );
});
