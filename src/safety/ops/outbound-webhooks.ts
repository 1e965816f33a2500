import { createHmac } from 'node:crypto';
import { ExponentialBackoff, handleWhen, noJitterGenerator, retry } from 'cockatiel';
import { EventType, type WebhookEventName, type WebhookTarget, uuidv7 } from '../../core/index.js';
import type { EventSink } from './breaker-board.js';

export const WEBHOOKS_STREAM = 'webhooks';
export const SIGNATURE_HEADER = 'x-apprentice-signature';
export const TIMESTAMP_HEADER = 'x-apprentice-timestamp';

export interface OutboundWebhooksOptions {
  readonly targets: readonly WebhookTarget[];
  /** Sink of the `WebhookDelivered` / `WebhookFailed` audit events (one per attempt). Required. */
  readonly sink: EventSink;
  /** Attempts per delivery, the first included. Default 5. */
  readonly maxAttempts?: number;
  /** First retry delay; each next one doubles (cockatiel exponential backoff, no jitter). Default 1000 ms. */
  readonly initialDelayMs?: number;
  /** Longest retry delay. Default 30,000 ms. */
  readonly maxDelayMs?: number;
  /** Deadline of one attempt. Default 5000 ms. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** Payload of `WebhookDelivered` and `WebhookFailed`. */
export interface WebhookAttemptData {
  readonly deliveryId: string;
  readonly url: string;
  readonly event: WebhookEventName;
  readonly attempt: number;
  /** HTTP status, when the receiver answered. */
  readonly status?: number | undefined;
  readonly error?: string | undefined;
  /** On a failure: whether this was the last attempt. */
  readonly final?: boolean | undefined;
}

/**
 * The signature a receiver checks: hex HMAC-SHA256 over `<timestamp>.<body>` with the target's
 * secret. The timestamp (unix seconds, header `X-Apprentice-Timestamp`) is inside the signed
 * bytes, so a receiver that rejects old timestamps rejects replays.
 */
export const webhookSignature = (secret: string, timestamp: string, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

class AttemptFailed extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** URL without credentials or query (they may hold secrets): what the audit trail names. */
const auditUrl = (u: string): string => {
  const x = new URL(u);
  return `${x.protocol}//${x.host}${x.pathname}`;
};

/**
 * Outbound webhooks: `send` POSTs `{ id, event, time, data }` as JSON to every target that
 * subscribes to the event, signed (`X-Apprentice-Signature: sha256=<hex>` over
 * `<timestamp>.<body>`), retried with exponential backoff on network errors, 5xx and 429 up to
 * `maxAttempts`. Every attempt is audited as `WebhookDelivered` or `WebhookFailed` (status,
 * attempt). `send` never throws and never waits: deliveries run in the background; `close()`
 * awaits them.
 *
 * @example
 * const hooks = new OutboundWebhooks({ targets: config.webhooks, sink: apprentice.writer });
 * hooks.send('rollout.step_changed', { agent: 'debugger', from: 5, to: 25 });
 */
export class OutboundWebhooks {
  readonly #o: OutboundWebhooksOptions;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: OutboundWebhooksOptions) {
    this.#o = options;
  }

  get targets(): readonly WebhookTarget[] {
    return this.#o.targets;
  }

  send(event: WebhookEventName, data: unknown): void {
    for (const target of this.#o.targets) {
      if (target.events && !target.events.includes(event)) continue;
      const p = this.#deliver(target, event, data).finally(() => this.#inFlight.delete(p));
      this.#inFlight.add(p);
    }
  }

  /** Resolves when every delivery started so far has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  close(): Promise<void> {
    return this.idle();
  }

  #audit(type: typeof EventType.WebhookDelivered | typeof EventType.WebhookFailed, data: WebhookAttemptData): void {
    const now = (this.#o.now ?? Date.now)();
    this.#o.sink.record({
      id: uuidv7(now),
      type,
      stream: WEBHOOKS_STREAM,
      data,
      metadata: { actor: 'system', ...(data.error ? { reason: data.error } : {}) },
      time: new Date(now).toISOString(),
    });
  }

  async #deliver(target: WebhookTarget, event: WebhookEventName, data: unknown): Promise<void> {
    const now = this.#o.now ?? Date.now;
    const deliveryId = uuidv7(now());
    const body = JSON.stringify({ id: deliveryId, event, time: new Date(now()).toISOString(), data });
    const maxAttempts = Math.max(1, this.#o.maxAttempts ?? 5);
    const policy = retry(
      handleWhen((e) => !(e instanceof AttemptFailed) || e.retryable),
      { maxAttempts: maxAttempts - 1, backoff: new ExponentialBackoff({ initialDelay: this.#o.initialDelayMs ?? 1000, maxDelay: this.#o.maxDelayMs ?? 30_000, generator: noJitterGenerator }) },
    );
    const base = { deliveryId, url: auditUrl(target.url), event };
    const doFetch = this.#o.fetch ?? fetch;
    try {
      await policy.execute(async ({ attempt }) => {
        const n = attempt + 1;
        const timestamp = String(Math.floor(now() / 1000));
        let status: number | undefined;
        try {
          const res = await doFetch(target.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'apprentice-webhooks',
              'x-apprentice-event': event,
              'x-apprentice-delivery': deliveryId,
              [TIMESTAMP_HEADER]: timestamp,
              [SIGNATURE_HEADER]: webhookSignature(target.secret, timestamp, body),
            },
            body,
            signal: AbortSignal.timeout(this.#o.timeoutMs ?? 5000),
          });
          status = res.status;
          await res.arrayBuffer().catch(() => undefined);
          if (!res.ok) throw new AttemptFailed(res.status, `HTTP ${res.status}`, res.status >= 500 || res.status === 429);
        } catch (e) {
          const failure = e instanceof AttemptFailed ? e : new AttemptFailed(status, (e as Error).message, true);
          this.#audit(EventType.WebhookFailed, { ...base, attempt: n, status: failure.status, error: failure.message, final: !failure.retryable || n >= maxAttempts });
          throw failure;
        }
        this.#audit(EventType.WebhookDelivered, { ...base, attempt: n, status });
      });
    } catch {
      // Given up: the last WebhookFailed says so (`final: true`).
    }
  }
}
