/**
 * The one way tests wait for something asynchronous to happen (issue 20, "bounded hangs").
 *
 * `pollUntil(probe, { timeoutMs, message })` calls `probe` until it returns a value other than
 * `undefined`, `null` or `false` and resolves with that value. When `timeoutMs` has passed it
 * rejects with an error naming `message` (and the probe's last error, if it threw), so a
 * mutant or a bug that stops progress fails the test with a reason instead of hanging it.
 * Keep `timeoutMs` below the test's own timeout (vitest.config.ts: 60 s) so this message, not
 * vitest's generic one, is what a hang reports.
 *
 * The deadline and the pause between probes use the real clock, captured when this module is
 * loaded: a test that installs fake timers cannot freeze the deadline.
 *
 * @example
 * await pollUntil(() => writer.stats().replayed >= 300, { timeoutMs: 10_000, message: 'the spool to be replayed' });
 * const row = await pollUntil(async () => (await store.query('SELECT ...'))[0], { timeoutMs: 5_000, message: 'the decision row' });
 */
const realNow = performance.now.bind(performance);
const realSetTimeout = globalThis.setTimeout;

export interface PollOptions {
  /** Longest wait, in real milliseconds. Required: every poll has a deadline. */
  readonly timeoutMs: number;
  /** What is awaited, for the failure message ("the spool to be replayed"). Required. */
  readonly message: string;
  /** Pause between probes. Default 10 ms. */
  readonly intervalMs?: number;
}

/** Thrown when a poll runs out of time. */
export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
}

type Falsy = undefined | null | false;

export async function pollUntil<T>(probe: () => T | Falsy | Promise<T | Falsy>, options: PollOptions): Promise<T> {
  const { timeoutMs, message, intervalMs = 10 } = options;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new RangeError(`pollUntil(${message}): timeoutMs must be a positive finite number`);
  const deadline = realNow() + timeoutMs;
  let lastError: unknown;
  let probes = 0;
  for (;;) {
    probes++;
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (realNow() >= deadline) {
      const why = lastError === undefined ? '' : `; last probe threw: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new PollTimeoutError(`timed out after ${timeoutMs} ms (${probes} probes) waiting for ${message}${why}`, { cause: lastError });
    }
    await new Promise<void>((resolve) => realSetTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - realNow()))));
  }
}

/**
 * For loops that make progress by themselves (paging through a log, draining a queue): a
 * check to call on every turn that throws a `PollTimeoutError` naming `message` once
 * `timeoutMs` of real time has passed, so a mutant that stops the progress (a cursor that
 * never moves) fails the test instead of spinning past its timeout.
 *
 * @example
 * const check = deadline({ timeoutMs: 30_000, message: 'reading the whole log' });
 * for (;;) { check(); const page = await store.readAll({ after: c }); if (page.length === 0) break; ... }
 */
export function deadline(options: Omit<PollOptions, 'intervalMs'>): () => void {
  const { timeoutMs, message } = options;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new RangeError(`deadline(${message}): timeoutMs must be a positive finite number`);
  const end = realNow() + timeoutMs;
  let turns = 0;
  return () => {
    turns++;
    if (realNow() >= end) throw new PollTimeoutError(`timed out after ${timeoutMs} ms (${turns} turns) ${message}`);
  };
}
