/**
 * MurmurHash3 x86 32-bit (seed 0) over the UTF-8 bytes of a string, as flagd hashes the
 * bucketing key of `fractional`.
 *
 * Hand-written rather than taken from `imurmurhash` (what flagd-core uses) for three reasons:
 * it sits on the hot path of every rollout decision (no per-call object, `Math.imul`, no
 * BigInt); `murmur3Prefixed` hashes `prefix + key` without building the concatenated string
 * (the prefix, a flag key, is absorbed once at compile time); and `imurmurhash` hashes UTF-16
 * code units, so for non-ASCII keys it disagrees with flagd itself (Go, UTF-8 bytes). For
 * ASCII keys all of them give the same bits.
 */
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

const encoder = new TextEncoder();

function mixK1(k1: number): number {
  k1 = Math.imul(k1, C1);
  k1 = (k1 << 15) | (k1 >>> 17);
  return Math.imul(k1, C2);
}

function mixH1(h1: number, k1: number): number {
  h1 ^= mixK1(k1);
  h1 = (h1 << 13) | (h1 >>> 19);
  return (Math.imul(h1, 5) + 0xe6546b64) | 0;
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

/** MurmurHash3 x86 32 of raw bytes (seed 0). */
export function murmur3Bytes(bytes: Uint8Array): number {
  const len = bytes.length;
  const blocks = len & ~3;
  let h1 = 0;
  let i = 0;
  for (; i < blocks; i += 4) h1 = mixH1(h1, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  const rem = len & 3;
  if (rem > 0) {
    let k1 = bytes[i]!;
    if (rem > 1) k1 ^= bytes[i + 1]! << 8;
    if (rem > 2) k1 ^= bytes[i + 2]! << 16;
    h1 ^= mixK1(k1);
  }
  return finish(h1, len);
}

/** The hash state after an ASCII prefix: whole blocks mixed, 0–3 bytes pending. */
export interface Murmur3Prefix {
  readonly text: string;
  readonly h1: number;
  /** Pending bytes, little-endian. */
  readonly pending: number;
  readonly pendingLength: number;
  readonly ascii: boolean;
}

/** Absorbs a prefix once (e.g. a flag key) for `murmur3Prefixed`. */
export function murmur3Prefix(text: string): Murmur3Prefix {
  let h1 = 0;
  let pending = 0;
  let n = 0;
  let or = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    or |= c;
    pending |= (c & 0xff) << (8 * n);
    if (++n === 4) {
      h1 = mixH1(h1, pending);
      pending = 0;
      n = 0;
    }
  }
  return { text, h1, pending, pendingLength: n, ascii: or < 0x80 };
}

const EMPTY_PREFIX = murmur3Prefix('');

/**
 * murmur3(prefix.text + s) without concatenating. ASCII is hashed straight from the string's
 * code units; anything else falls back to hashing the UTF-8 bytes of the concatenation.
 */
export function murmur3Prefixed(prefix: Murmur3Prefix, s: string): number {
  const slen = s.length;
  let h1 = prefix.h1;
  let k1 = prefix.pending;
  let n = prefix.pendingLength;
  let or = 0;
  let i = 0;
  // Fill the pending block from the head of s.
  while (n !== 0 && n < 4 && i < slen) {
    const c = s.charCodeAt(i++);
    or |= c;
    k1 |= c << (8 * n++);
  }
  if (n === 4) {
    h1 = mixH1(h1, k1);
    k1 = 0;
    n = 0;
  }
  if (n === 0) {
    const blocksEnd = i + ((slen - i) & ~3);
    for (; i < blocksEnd; i += 4) {
      const c0 = s.charCodeAt(i);
      const c1 = s.charCodeAt(i + 1);
      const c2 = s.charCodeAt(i + 2);
      const c3 = s.charCodeAt(i + 3);
      or |= c0 | c1 | c2 | c3;
      h1 = mixH1(h1, c0 | (c1 << 8) | (c2 << 16) | (c3 << 24));
    }
    for (; i < slen; i++) {
      const c = s.charCodeAt(i);
      or |= c;
      k1 |= c << (8 * n++);
    }
  }
  if (or > 0x7f || !prefix.ascii) return murmur3Bytes(encoder.encode(prefix.text + s));
  if (n > 0) h1 ^= mixK1(k1);
  return finish(h1, prefix.text.length + slen);
}

/** MurmurHash3 x86 32 (seed 0) of the UTF-8 encoding of `s`, as an unsigned 32-bit integer. */
export function murmur3(s: string): number {
  return murmur3Prefixed(EMPTY_PREFIX, s);
}
