/**
 * MurmurHash3 x86 32-bit (seed 0) over the UTF-8 bytes of a string, as flagd hashes the
 * bucketing key of `fractional`.
 *
 * Hand-written rather than taken from `imurmurhash` (what flagd-core uses) for two reasons:
 * it sits on the hot path of every rollout decision (no per-call object, `Math.imul`, no
 * BigInt), and `imurmurhash` hashes UTF-16 code units, so for non-ASCII keys it disagrees
 * with flagd itself (Go, UTF-8 bytes). For ASCII keys both give the same bits.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const encoder = new TextEncoder();

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function mixK1(k1: number): number {
  k1 = Math.imul(k1, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  return Math.imul(k1, C2);
}

function finish(h1: number, len: number): number {
  h1 ^= len;
  h1 ^= h1 >>> 16;
  h1 = Math.imul(h1, 0x85ebca6b);
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  return h1 >>> 0;
}

function hashAscii(s: string): number {
  const len = s.length;
  const blocks = len & ~3;
  let h1 = 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    const k1 = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    h1 ^= mixK1(k1);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  const rem = len & 3;
  if (rem > 0) {
    let k1 = s.charCodeAt(i);
    if (rem > 1) k1 ^= s.charCodeAt(i + 1) << 8;
    if (rem > 2) k1 ^= s.charCodeAt(i + 2) << 16;
    h1 ^= mixK1(k1);
  }
  return finish(h1, len);
}

/** MurmurHash3 x86 32 of raw bytes (seed 0). */
export function murmur3Bytes(bytes: Uint8Array): number {
  const len = bytes.length;
  const blocks = len & ~3;
  let h1 = 0;
  let i = 0;
  for (; i < blocks; i += 4) {
    const k1 = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h1 ^= mixK1(k1);
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
  }
  const rem = len & 3;
  if (rem > 0) {
    let k1 = bytes[i]!;
    if (rem > 1) k1 ^= bytes[i + 1]! << 8;
    if (rem > 2) k1 ^= bytes[i + 2]! << 16;
    h1 ^= mixK1(k1);
  }
  return finish(h1, len);
}

/** MurmurHash3 x86 32 (seed 0) of the UTF-8 encoding of `s`, as an unsigned 32-bit integer. */
export function murmur3(s: string): number {
  return isAscii(s) ? hashAscii(s) : murmur3Bytes(encoder.encode(s));
}
