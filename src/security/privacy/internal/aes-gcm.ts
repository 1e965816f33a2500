import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ct: Buffer;
}

/** AES-256-GCM encryption with a fresh 96-bit IV. */
export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ct };
}

/** AES-256-GCM decryption; throws (node's error) when the key, AAD or data do not authenticate. */
export function open(key: Buffer, sealed: Sealed, aad: Buffer): Buffer {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES)
    throw new Error('bad iv or tag length');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ct), decipher.final()]);
}

/** A wrapped key as one buffer: iv | tag | ciphertext. */
export const packSealed = (s: Sealed): Buffer => Buffer.concat([s.iv, s.tag, s.ct]);
export const unpackSealed = (b: Buffer): Sealed => ({
  iv: b.subarray(0, IV_BYTES),
  tag: b.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
  ct: b.subarray(IV_BYTES + TAG_BYTES),
});

/** Strict base64 decode (node's decoder silently skips junk). */
export function fromBase64(s: unknown): Buffer | undefined {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}
