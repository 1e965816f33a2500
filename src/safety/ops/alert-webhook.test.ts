import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../core/events.js';
import type { WebhookAlert, WebhookPayload } from './alert-payload.js';
import { AlertWebhook } from './alert-webhook.js';

const alert = (
  fingerprint: string,
  startsAt: string,
  status: 'firing' | 'resolved' = 'firing',
): WebhookAlert => ({
  status,
  labels: { alertname: 'ApprenticeModelBelowRules', agent: 'a', remediation: 'rollback' },
  annotations: {},
  startsAt,
  fingerprint,
});
const payload = (alerts: WebhookAlert[]): WebhookPayload => ({
  version: '4',
  groupKey: 'g',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'r',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: '',
  alerts,
});

describe('AlertWebhook idempotency', () => {
  it('property: however notifications repeat, each firing occurrence acts exactly once and is audited once', async () => {
    const occurrence = fc.record({
      fp: fc.constantFrom('f1', 'f2', 'f3'),
      at: fc.constantFrom('2025-01-01T00:00:00Z', '2025-01-01T01:00:00Z'),
      firing: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(occurrence, { maxLength: 5 }), { maxLength: 8 }),
        async (notifications) => {
          const events: NewEvent[] = [];
          const acted: string[] = [];
          const webhook = new AlertWebhook({
            sink: { record: (e) => events.push(e) },
            actions: { rollback: () => 'applied', pause: () => 'applied', openBreaker: () => 'applied' },
          });
          // rollback is counted through a wrapper so the key of each call is known
          webhook.setActions({ rollback: (agent, reason) => (acted.push(`${agent}:${reason}`), 'applied') });
          for (const n of notifications)
            await webhook.handle(payload(n.map((o) => alert(o.fp, o.at, o.firing ? 'firing' : 'resolved'))));
          const firing = new Set(
            notifications
              .flat()
              .filter((o) => o.firing)
              .map((o) => `${o.fp}|${o.at}`),
          );
          expect(acted).toHaveLength(firing.size);
          expect(events).toHaveLength(firing.size);
          expect(
            new Set(
              events.map(
                (e) =>
                  `${(e.data as { fingerprint: string }).fingerprint}|${(e.data as { startsAt: string }).startsAt}`,
              ),
            ),
          ).toEqual(firing);
        },
      ),
    );
  });

  it('forgets the oldest occurrences beyond `remember`', async () => {
    let calls = 0;
    const webhook = new AlertWebhook({
      sink: { record: () => undefined },
      remember: 2,
      actions: { rollback: () => (calls++, 'applied'), pause: () => 'applied', openBreaker: () => 'applied' },
    });
    for (const fp of ['a', 'b', 'c', 'a']) await webhook.handle(payload([alert(fp, '2025-01-01T00:00:00Z')]));
    expect(calls).toBe(4);
  });
});
