/**
 * Redis stream entry ids (`<ms>-<seq>`) as data: parse, compare, successor.
 * Both buses use them, so the in-process bus orders and trims exactly like Redis.
 */

export interface StreamId {
  readonly ms: number;
  readonly seq: number;
}

export const ZERO_ID: StreamId = { ms: 0, seq: 0 };

const ID_RE = /^(\d+)(?:-(\d+))?$/;

export function parseStreamId(id: string): StreamId {
  const match = ID_RE.exec(id);
  const ms = Number(match?.[1]);
  const seq = Number(match?.[2] ?? 0);
  if (!match || !Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) {
    throw new RangeError(`not a stream id: ${id}`);
  }
  return { ms, seq };
}

export const formatStreamId = (id: StreamId): string => `${id.ms}-${id.seq}`;

/** Negative if `a` sorts before `b`, 0 if equal, positive after. */
export function compareStreamIds(a: StreamId, b: StreamId): number {
  return a.ms !== b.ms ? a.ms - b.ms : a.seq - b.seq;
}

/** The smallest id strictly greater than `id` (what `XTRIM MINID` needs to keep everything after it). */
export const nextStreamId = (id: StreamId): StreamId => ({ ms: id.ms, seq: id.seq + 1 });

/**
 * The id Redis `XADD *` would assign after `last` at time `now`: the clock's millisecond,
 * or `last` + 1 sequence when the clock has not moved forward (or went backwards).
 */
export const nextAutoId = (last: StreamId, now: number): StreamId =>
  now > last.ms ? { ms: now, seq: 0 } : nextStreamId(last);
