/**
 * The reconnect delay of every Redis client apprentice opens (node-redis `reconnectStrategy`):
 * 50 ms doubling up to `maxMs`, plus up to 50 ms of jitter, never giving up. The cap is what
 * bounds the wait between a dependency coming back and health reporting ok, so it is short:
 * one connection attempt a second against a Redis that is down costs nothing worth saving.
 * (node-redis's own default grows to 2 s, which alone used up most of the 5 s recovery target.)
 */
export const reconnectDelay =
  (maxMs = 1000, random: () => number = Math.random) =>
  (retries: number): number =>
    Math.min(50 * 2 ** Math.min(retries, 10), maxMs) + Math.floor(random() * 50);
