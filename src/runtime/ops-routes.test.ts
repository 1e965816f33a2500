import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApprentice, type Apprentice } from './create-apprentice.js';
import { buildServer } from '../server/app.js';
import { installOps, type InstalledOps } from './install-ops.js';

const alert = (over: Record<string, unknown> = {}, labels: Record<string, string> = {}) => ({
  status: 'firing',
  labels: { alertname: 'ApprenticeModelAccuracyDrop', agent: 'debugger', severity: 'warning', ...labels },
  annotations: { summary: 'accuracy dropped' },
  startsAt: '2025-01-01T00:00:00.123456789Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus/graph',
  fingerprint: 'f00d',
  ...over,
});
const payload = (alerts: unknown[]) => ({
  version: '4',
  groupKey: '{}:{alertname="ApprenticeModelAccuracyDrop"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'apprentice-webhook',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager',
  alerts,
});

describe('ops routes (embedded)', () => {
  let dir: string;
  let a: Apprentice;
  let ops: InstalledOps;
  let app: FastifyInstance;
  const rollback = vi.fn((_agent: string, _reason: string) => 'applied' as const);
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-ops-'));
    a = await createApprentice({ config: { dataDir: dir } });
    ops = await installOps(a, { throttle: false });
    app = await buildServer(a, { routes: [...ops.server.routes] });
  });
  afterAll(async () => {
    await app.close();
    await ops.stop();
    await a.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const events = async (
    type: string,
  ): Promise<{ data: Record<string, unknown>; metadata: Record<string, unknown> }[]> => {
    await a.writer.flush();
    await a.projector?.drainOnce();
    const r = await app.inject({ method: 'GET', url: `/api/v1/events?type=${type}&limit=100` });
    return (r.json() as { events: { data: Record<string, unknown>; metadata: Record<string, unknown> }[] })
      .events;
  };

  it('lists, opens and closes every breaker, audited', async () => {
    ops.getGuard('debugger');
    const list = await app.inject({ method: 'GET', url: '/api/v1/circuit-breakers' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({
      heldOpen: false,
      breakers: [{ agent: 'debugger', kind: 'failure', state: 'closed' }, {}, {}],
    });
    const open = await app.inject({
      method: 'POST',
      url: '/api/v1/circuit-breakers/open-all',
      payload: { reason: 'drill' },
    });
    expect(open.statusCode).toBe(200);
    expect(open.json()).toMatchObject({ action: 'open', agents: ['debugger'] });
    expect((await app.inject({ method: 'GET', url: '/api/v1/circuit-breakers' })).json()).toMatchObject({
      heldOpen: true,
    });
    const close = await app.inject({ method: 'POST', url: '/api/v1/circuit-breakers/close-all' });
    expect(close.statusCode).toBe(200);
    const audit = await events('BreakerOverridden');
    expect(audit.map((e) => [e.data.action, e.metadata.actor, e.metadata.reason])).toEqual([
      ['open', 'api', 'drill'],
      ['close', 'api', 'close-all requested over the API'],
    ]);
    expect((await events('BreakerStateChanged')).length).toBe(6);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/circuit-breakers/open-all',
      payload: { reason: 3 },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('remediates a firing alert once per occurrence, audited, and counts it', async () => {
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: payload([alert()]),
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      received: 1,
      alerts: [{ action: 'open_breaker', agent: 'debugger', result: 'applied' }],
    });
    expect(ops.board.getGuard('debugger').state.accuracy).toBe('isolated');
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: payload([alert()]),
    });
    expect(again.json()).toMatchObject({ alerts: [{ result: 'duplicate' }] });
    // a new occurrence of the same alert (new startsAt) acts again: breakers already open
    const later = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: payload([alert({ startsAt: '2025-01-02T00:00:00Z' })]),
    });
    expect(later.json()).toMatchObject({ alerts: [{ result: 'skipped', detail: 'breakers already open' }] });
    const audit = await events('AlertRemediated');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({
      data: {
        alertname: 'ApprenticeModelAccuracyDrop',
        agent: 'debugger',
        action: 'open_breaker',
        result: 'applied',
        fingerprint: 'f00d',
      },
      metadata: { actor: 'alertmanager', reason: 'alert ApprenticeModelAccuracyDrop: accuracy dropped' },
    });
    expect((audit[0]!.data.after as { state: string }[]).every((b) => b.state === 'isolated')).toBe(true);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /apprentice_alerts_received_total\{alertname="ApprenticeModelAccuracyDrop",status="firing"\} 3/,
    );
    expect(metrics).toMatch(
      /apprentice_alert_remediations_total\{alertname="ApprenticeModelAccuracyDrop",action="open_breaker",result="applied"\} 1/,
    );
  });

  it('rollback and pause are skipped until a controller is plugged in, then run it', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: payload([
        alert({ fingerprint: 'r1' }, { alertname: 'ApprenticeModelBelowRules', remediation: 'rollback' }),
      ]),
    });
    expect(r.json()).toMatchObject({ alerts: [{ action: 'rollback', result: 'skipped' }] });
    ops.setActions({ rollback });
    const r2 = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: payload([
        alert(
          { fingerprint: 'r2' },
          { alertname: 'ApprenticeModelBelowRules', agent: 'pisarz', remediation: 'rollback' },
        ),
      ]),
    });
    expect(r2.json()).toMatchObject({ alerts: [{ action: 'rollback', agent: 'pisarz', result: 'applied' }] });
    expect(rollback).toHaveBeenCalledWith('pisarz', expect.stringContaining('ApprenticeModelBelowRules'));
  });

  it('a failed action is audited and retried on the next notification', async () => {
    let calls = 0;
    ops.setActions({
      pause: () => {
        calls++;
        if (calls === 1) throw new Error('controller down');
        return 'applied';
      },
    });
    const body = payload([alert({ fingerprint: 'p1' }, { alertname: 'ApprenticeSampleRatioMismatch' })]);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/alerts/webhook', payload: body })).json(),
    ).toMatchObject({ alerts: [{ result: 'failed', detail: 'controller down' }] });
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/alerts/webhook', payload: body })).json(),
    ).toMatchObject({ alerts: [{ result: 'applied' }] });
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/alerts/webhook', payload: body })).json(),
    ).toMatchObject({ alerts: [{ result: 'duplicate' }] });
  });

  it('resolved alerts and alerts without remediation are counted but not acted on', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: payload([
        alert({ status: 'resolved', fingerprint: 'z' }),
        alert({ fingerprint: 'y' }, { alertname: 'ApprenticeBusLagHigh' }),
      ]),
    });
    expect(r.json()).toMatchObject({
      received: 2,
      alerts: [{ result: 'none', detail: 'alert resolved' }, { result: 'none' }],
    });
  });

  it('rejects a bad payload with 400 naming the fields', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: { ...payload([{ ...alert(), fingerprint: 7, labels: {} }]), version: '3' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    const paths = r.json() as { errors?: { path: string }[]; issues?: { path: string }[] };
    const all = JSON.stringify(paths);
    expect(all).toContain('version');
    expect(all).toContain('alerts.0.fingerprint');
    expect(all).toContain('alerts.0.labels.alertname');
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/alerts/webhook',
          payload: '[]',
          headers: { 'content-type': 'application/json' },
        })
      ).statusCode,
    ).toBe(400);
  });

  it('feeds decide latencies to the impact estimator when the throttle runs', async () => {
    const b = await createApprentice({ config: { dataDir: join(dir, 'b') } });
    // no loop sampling and no settle window during the test: every decide latency is counted
    const o = await installOps(b, {
      throttle: { log: () => undefined, throttle: { intervalMs: 3_600_000 }, impact: { settleMs: 0 } },
    });
    const s = await buildServer(b, { routes: [...o.server.routes] });
    try {
      for (let i = 0; i < 3; i++)
        expect(
          (
            await s.inject({
              method: 'POST',
              url: '/api/v1/agents/x/decide',
              payload: { unitId: `u${i}`, context: {}, deterministic: 1 },
            })
          ).statusCode,
        ).toBe(200);
      await s.inject({ method: 'GET', url: '/health' });
      const snap = o.throttle!.impact!.snapshot();
      expect(snap.on.n + snap.off.n).toBe(3);
      expect(o.isThrottled()).toBe(o.throttle!.isThrottled());
    } finally {
      await s.close();
      await o.stop();
      await b.close();
    }
  });
});
