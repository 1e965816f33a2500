/**
 * FNV-1a (32-bit) over UTF-16 code units, continuing from a seed state so a field's name can
 * be hashed once and its values hashed on top, without building `name=value` strings.
 * Hand-written because the extraction path must not allocate; a library would take strings
 * or buffers.
 */
const FNV_OFFSET = 0x811c9dc5;

export function fnvString(
  s: string,
  seed: number = FNV_OFFSET,
  from = 0,
  to = s.length,
  lowerAscii = false,
): number {
  let h = seed;
  for (let i = from; i < to; i++) {
    let c = s.charCodeAt(i);
    if (lowerAscii && c >= 65 && c <= 90) c += 32;
    h ^= c;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Separator mixed in between a field name and a value. */
export function fnvSeparator(seed: number): number {
  return Math.imul(seed ^ 0x1f, 0x01000193) >>> 0;
}
