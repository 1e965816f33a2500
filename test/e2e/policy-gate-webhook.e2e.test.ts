import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSignature } from '../../src/safety/ops/outbound-webhooks.js';
import { runCli, startCli, type RunningServer } from '../support/cli-process.js';
import { pollUntil } from '../support/poll-until.js';

/**
 * Issue 19, done when: "a rollout runs under a per-agent policy given only in configuration,
 * including a manual gate and a webhook delivery (an end-to-end test)". The built CLI serves with
 * `--config <file>`; the file alone holds the rollout policy (steps 10 → 50 → 100, a manual gate
 * before 50%, small samples, a fast controller) and a webhook to a receiver this test starts. A
 * client sends decisions and outcomes over HTTP; the controller moves the trained model from
 * shadow to 10% by itself (webhook 1), then holds at the gate however good the statistics are;
 * `apprentice rollouts approve` opens it and the controller advances to 50% (webhook 2). Every
 * delivery is signed with the configured secret and audited as `WebhookDelivered`.
 */

const AGENT = 'refund-check';
const SECRET = 'e2e-webhook-secret-0123456789';
const policy = {
  steps: [10, 50, 100],
  gates: [50],
  minShadowOutcomes: 30,
  minSamplePerArm: 15,
  minStepDurationMs: 0,
  evaluationIntervalMs: 300,
  stepRules: ['non-inferiority'],
};

type Label = 'approve' | 'reject';
/** The client's rules approve everything; the truth rejects large refunds (a model learns it). */
const truth = (amount: number): Label => (amount > 50 ? 'reject' : 'approve');

interface Delivery {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly json: {
    readonly id: string;
    readonly event: string;
    readonly time: string;
    readonly data: {
      readonly agent: string;
      readonly command: string;
      readonly actor: string;
      readonly reason: string | null;
      readonly before: { readonly phase: string; readonly percentage?: number };
      readonly after: { readonly phase: string; readonly percentage?: number };
    };
  };
}

describe('rollout policy from the config file alone: a manual gate and signed webhooks', () => {
  let dir: string;
  let server: RunningServer;
  let receiver: Server;
  const deliveries: Delivery[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        deliveries.push({ headers: req.headers, body, json: JSON.parse(body) as Delivery['json'] });
        res.writeHead(204).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/apprentice`;

    dir = mkdtempSync(join(tmpdir(), 'apprentice-gate-webhook-'));
    const config = join(dir, 'apprentice.config.json');
    // learningThrottle off: on a shared test host the event loop is never calm enough for training.
    writeFileSync(
      config,
      JSON.stringify({ dataDir: join(dir, 'data'), logLevel: 'silent', learningThrottle: false, rollout: policy, webhooks: [{ url: hookUrl, secret: SECRET, events: ['rollout.step_changed'] }] }, null, 2),
    );
    server = await startCli(['serve', '--config', config, '--port', '0'], { APPRENTICE_LOG_LEVEL: 'silent' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    receiver?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${server.url}${path}`);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const stepChanges = (): Delivery[] => deliveries.filter((d) => d.json.event === 'rollout.step_changed' && d.json.data.agent === AGENT);
  const expectSigned = (d: Delivery): void => {
    const ts = d.headers['x-apprentice-timestamp'];
    expect(typeof ts).toBe('string');
    expect(d.headers['x-apprentice-signature']).toBe(webhookSignature(SECRET, ts as string, d.body));
    expect(d.headers['content-type']).toMatch(/application\/json/);
  };

  it('the controller reaches the gate and holds; approve opens it; each step change is a signed, audited webhook', { timeout: 400_000 }, async () => {
    const put = await fetch(`${server.url}/api/v1/agents/${AGENT}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-apprentice-reason': 'gate and webhook e2e' },
      body: JSON.stringify({ kind: 'classification', labels: ['approve', 'reject'], feedback: 'label', features: [{ name: 'amount', type: 'numeric', standardize: true }] }),
    });
    expect(put.status, await put.clone().text()).toBeLessThan(300);

    // The effective policy of the agent is the config file's (no agent-level override).
    const initial = await get<{ phase: string; policy: Record<string, unknown> }>(`/api/v1/rollouts/${AGENT}`);
    expect(initial.policy).toMatchObject({ steps: [10, 50, 100], gates: [50], minShadowOutcomes: 30, minSamplePerArm: 15, minStepDurationMs: 0, evaluationIntervalMs: 300 });
    expect(initial.policy.stepRules).toEqual([
      { step: 10, rule: 'non-inferiority' },
      { step: 50, rule: 'non-inferiority' },
    ]);

    let stop = false;
    let seq = 0;
    let errors = 0;
    let lastError = '';
    const client = async (): Promise<void> => {
      while (!stop) {
        const t0 = performance.now();
        const i = seq++;
        const amount = (i * 37) % 100;
        try {
          const d = await fetch(`${server.url}/api/v1/agents/${AGENT}/decide`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ unitId: `refund-${i}`, context: { amount }, deterministic: 'approve' }),
          });
          if (d.status !== 200) throw new Error(`decide ${d.status} ${await d.text()}`);
          const { decisionId } = (await d.json()) as { decisionId: string };
          const o = await fetch(`${server.url}/api/v1/decisions/${decisionId}/outcome`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ label: truth(amount) }) });
          if (o.status >= 300) throw new Error(`outcome ${o.status} ${await o.text()}`);
        } catch (e) {
          errors++;
          lastError = String(e);
        }
        const wait = 100 - (performance.now() - t0);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    };
    const clients = Array.from({ length: 3 }, () => client());
    const poll = async <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> =>
      pollUntil(probe, { timeoutMs, intervalMs: 250, message: what }).catch((e: unknown) => {
        throw new Error(`${String(e)}\n(decisions sent: ${seq}, client errors: ${errors}, last: ${lastError || 'none'}, webhooks: ${JSON.stringify(deliveries.map((d) => d.json.data))})`);
      });

    try {
      // 1. The controller moves the trained model from shadow to the first configured step by itself.
      const first = await poll(async () => stepChanges()[0], 180_000, 'the webhook of the first step change');
      expectSigned(first);
      expect(first.json.data).toMatchObject({ agent: AGENT, command: 'advance', actor: 'controller', before: { phase: 'shadow' }, after: { phase: 'canary', percentage: 10 } });
      expect(first.json.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(Number.isNaN(Date.parse(first.json.time))).toBe(false);

      // 2. At 10% the statistics allow the next step, but the gate holds it for an operator.
      const held = await poll(
        async () => {
          const r = await get<{ percentage: number; gate: { percentage: number; approved: boolean } | null; verdict: { action: string; reasons: string[] } }>(`/api/v1/rollouts/${AGENT}`);
          return r.verdict.reasons.some((x) => x.startsWith('waiting for approval to advance to 50%')) ? r : undefined;
        },
        180_000,
        `${AGENT} held at the manual gate before 50%`,
      );
      expect(held.percentage).toBe(10);
      expect(held.gate).toMatchObject({ percentage: 50, approved: false });
      expect(held.verdict.action).toBe('hold');
      // What the statistics say on their own: advance (the step's rule is met); only the gate holds.
      expect(held.verdict.reasons.join('; ')).toMatch(/non-inferior \(margin/);
      expect(stepChanges().map((d) => d.json.data.after.percentage)).toEqual([10]);

      // 3. An operator approves with the CLI; the controller advances into the gated step.
      const approve = await runCli(['rollouts', 'approve', AGENT, '--reason', 'e2e: looks good', '--json'], { APPRENTICE_URL: server.url });
      // It succeeds only while a gate is ahead (409 otherwise): the rollout was still held at 10%.
      expect(approve.code, approve.stderr).toBe(0);
      const second = await poll(async () => stepChanges().find((d) => d.json.data.after.percentage === 50), 120_000, 'the webhook of the step into 50%');
      expectSigned(second);
      expect(second.json.data).toMatchObject({ agent: AGENT, command: 'advance', before: { phase: 'canary', percentage: 10 }, after: { phase: 'canary', percentage: 50 } });
      expect(stepChanges().indexOf(second)).toBe(1); // the next change after the first: nothing in between
      expect(second.json.id).not.toBe(first.json.id);
    } finally {
      stop = true;
      await Promise.all(clients);
    }

    // 4. The audit trail: the approval with its actor and reason, and one WebhookDelivered per delivery.
    const approvals = await get<{ events: { data: { agent: string; percentage: number }; metadata: { actor: string; reason: string } }[] }>('/api/v1/events?type=RolloutGateApproved');
    const mine = approvals.events.filter((e) => e.data.agent === AGENT);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.data.percentage).toBe(50);
    expect(mine[0]!.metadata.reason).toBe('e2e: looks good');
    expect(mine[0]!.metadata.actor.length).toBeGreaterThan(0);
    const delivered = await poll(
      async () => {
        const r = await get<{ events: { data: { deliveryId: string; event: string; status: number; attempt: number } }[] }>('/api/v1/events?type=WebhookDelivered&limit=1000');
        const ids = new Set(r.events.map((e) => e.data.deliveryId));
        return stepChanges().every((d) => ids.has(d.json.id)) ? r.events : undefined;
      },
      30_000,
      'a WebhookDelivered audit event for every delivery received',
    );
    for (const e of delivered.filter((x) => stepChanges().some((d) => d.json.id === x.data.deliveryId))) expect(e.data).toMatchObject({ event: 'rollout.step_changed', status: 204, attempt: 1 });
  });
});
