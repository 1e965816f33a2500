import { randomFillSync } from 'node:crypto';

// UUIDv7 (RFC 9562 §5.7): 48-bit ms timestamp, then random bits, with a monotonic counter
// inside one millisecond so ids sort in creation order within a process. Hand-written because
// it sits on the hot path (recordDecision): random bytes are drawn in 4 KiB blocks.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;
let lastMs = 0;
let seq = 0;
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomBytes8(): number {
  if (poolOffset + 8 > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const o = poolOffset;
  poolOffset += 8;
  return o;
}

/** A new UUIDv7 string, e.g. `0190f3c2-7a1b-7c3d-8e4f-0123456789ab`. */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = 0;
  } else {
    now = lastMs;
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs = now = now + 1; // counter overflow: borrow the next millisecond
  }
  const o = randomBytes8();
  const hi = Math.floor(now / 0x10000);
  const lo = now % 0x10000;
  const h = hi.toString(16).padStart(8, '0');
  const l = lo.toString(16).padStart(4, '0');
  const ver = (0x7000 | seq).toString(16);
  const v = (pool[o]! & 0x3f) | 0x80;
  return `${h}-${l}-${ver}-${HEX[v]}${HEX[pool[o + 1]!]}-${HEX[pool[o + 2]!]}${HEX[pool[o + 3]!]}${HEX[pool[o + 4]!]}${HEX[pool[o + 5]!]}${HEX[pool[o + 6]!]}${HEX[pool[o + 7]!]}`;
}

/** The millisecond timestamp inside a UUIDv7. */
export function uuidv7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
