import { ErrorReply } from 'redis';
import { NotFoundError, UnavailableError, isApprenticeError } from '../../../core/index.js';

/**
 * Translate a node-redis failure into the error taxonomy: a reply error naming a missing
 * group or stream becomes `NotFoundError`, any other reply error is passed through (a bug or
 * a misconfigured server), and everything else — refused connection, offline client, socket
 * closed mid-command, timeout — is `UnavailableError`, which callers retry or spool.
 */
export function toBusError(err: unknown, what: string): Error {
  if (isApprenticeError(err)) return err;
  if (err instanceof ErrorReply) {
    if (err.message.startsWith('NOGROUP') || err.message.includes('no such key')) {
      return new NotFoundError(`${what}: ${err.message}`, { cause: err });
    }
    return err;
  }
  const message = err instanceof Error ? err.message : String(err);
  return new UnavailableError(`${what}: Redis unavailable (${message})`, { cause: err });
}

/**
 * Reject with `UnavailableError` if `work` has not settled within `ms`. node-redis' own
 * command timeout only covers commands not yet written to the socket; this bounds the wait
 * for a reply on a connection that hangs without closing. The command itself is not
 * cancelled (Redis may still apply it: callers treat a timeout as "maybe published").
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(`${what}: no reply from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
