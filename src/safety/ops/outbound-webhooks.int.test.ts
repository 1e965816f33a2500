import { createHmac, timingSafeEqual } from 'node:crypto';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventType, type NewEvent } from '../../core/index.js';
import { OutboundWebhooks, type WebhookAttemptData } from './outbound-webhooks.js';

const SECRET = 'a-receiver-secret-of-32-characters';

/** A real HTTP receiver on port 0 answering with the next status of `statuses` (the last repeats). */
async function receiver(statuses: number[]) {
  const got: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses[Math.min(got.length - 1, statuses.length - 1)]!;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?token=x`;
  return { url, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** What a receiver does: HMAC-SHA256 over `<timestamp>.<body>`, constant-time compare. */
function verifies(headers: IncomingHttpHeaders, body: string, secret: string): boolean {
  const ts = String(headers['x-apprentice-timestamp']);
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`);
  const given = Buffer.from(String(headers['x-apprentice-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('outbound webhooks against a real receiver', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('signs the body with the timestamp: the receiver verifies it, and a changed body or timestamp fails', async () => {
    const r = await receiver([200]);
    closers.push(r.close);
    const events: NewEvent[] = [];
    const hooks = new OutboundWebhooks({ targets: [{ url: r.url, secret: SECRET }], sink: { record: (e) => events.push(e) } });
    hooks.send('rollout.step_changed', { agent: 'debugger', to: 25 });
    await hooks.idle();
    expect(r.got).toHaveLength(1);
    const { headers, body } = r.got[0]!;
    expect(JSON.parse(body)).toMatchObject({ event: 'rollout.step_changed', data: { agent: 'debugger', to: 25 } });
    expect(headers['x-apprentice-event']).toBe('rollout.step_changed');
    expect(verifies(headers, body, SECRET)).toBe(true);
    expect(verifies(headers, body.replace('25', '50'), SECRET)).toBe(false);
    expect(verifies({ ...headers, 'x-apprentice-timestamp': '1' }, body, SECRET)).toBe(false);
    expect(verifies(headers, body, 'another-secret-of-enough-length')).toBe(false);
    expect(events.map((e) => e.type)).toEqual([EventType.WebhookDelivered]);
    // The audit names the URL without its query (it may hold a token).
    expect(events[0]!.data).toMatchObject({ attempt: 1, status: 200, url: r.url.replace('?token=x', '') });
  });

  it('a receiver answering 500 twice then 200 gets 3 attempts, each audited with status and attempt', async () => {
    const r = await receiver([500, 500, 200]);
    closers.push(r.close);
    const events: NewEvent[] = [];
    const hooks = new OutboundWebhooks({ targets: [{ url: r.url, secret: SECRET }], sink: { record: (e) => events.push(e) }, initialDelayMs: 5 });
    hooks.send('breaker.state_changed', { agent: 'debugger', from: 'closed', to: 'open' });
    await hooks.idle();
    expect(r.got).toHaveLength(3);
    // One delivery: the same id and body on every attempt.
    expect(new Set(r.got.map((g) => g.headers['x-apprentice-delivery'])).size).toBe(1);
    expect(r.got.every((g) => verifies(g.headers, g.body, SECRET))).toBe(true);
    expect(events.map((e) => [e.type, (e.data as WebhookAttemptData).attempt, (e.data as WebhookAttemptData).status])).toEqual([
      [EventType.WebhookFailed, 1, 500],
      [EventType.WebhookFailed, 2, 500],
      [EventType.WebhookDelivered, 3, 200],
    ]);
    expect(events.map((e) => (e.data as WebhookAttemptData).final)).toEqual([false, false, undefined]);
  });

  it('gives up after maxAttempts, the last failure final; a 4xx is not retried; unsubscribed events are not sent', async () => {
    const down = await receiver([503]);
    const bad = await receiver([400]);
    closers.push(down.close, bad.close);
    const events: NewEvent[] = [];
    const hooks = new OutboundWebhooks({
      targets: [{ url: down.url, secret: SECRET }, { url: bad.url, secret: SECRET, events: ['drift.hold'] }],
      sink: { record: (e) => events.push(e) },
      initialDelayMs: 2,
      maxAttempts: 3,
    });
    hooks.send('drift.hold', { agent: 'debugger' });
    hooks.send('rollout.step_changed', { agent: 'debugger' });
    await hooks.idle();
    expect(down.got).toHaveLength(6);
    expect(bad.got).toHaveLength(1);
    const failed = events.filter((e) => e.type === EventType.WebhookFailed).map((e) => e.data as WebhookAttemptData);
    expect(failed.filter((d) => d.final).map((d) => [d.url.includes(String(new URL(bad.url).port)) ? 'bad' : 'down', d.attempt, d.status]).sort()).toEqual([
      ['bad', 1, 400],
      ['down', 3, 503],
      ['down', 3, 503],
    ]);
  });

  it('a receiver that is not listening fails with the network error, audited', async () => {
    const r = await receiver([200]);
    await r.close();
    const events: NewEvent[] = [];
    const hooks = new OutboundWebhooks({ targets: [{ url: r.url, secret: SECRET }], sink: { record: (e) => events.push(e) }, initialDelayMs: 2, maxAttempts: 2 });
    hooks.send('drift.hold', {});
    await hooks.idle();
    expect(events.map((e) => e.type)).toEqual([EventType.WebhookFailed, EventType.WebhookFailed]);
    expect((events[1]!.data as WebhookAttemptData)).toMatchObject({ attempt: 2, final: true, status: undefined });
    expect((events[1]!.data as WebhookAttemptData).error).toBeTruthy();
  });
});
