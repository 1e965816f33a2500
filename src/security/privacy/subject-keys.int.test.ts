import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSubjectErasedError } from './crypto-error.js';
import { createEnvelopeEncryptor } from './envelope.js';
import { createKeyring, loadKeyring, saveKeyringFile } from './keyring.js';
import { createFileSubjectKeyStore } from './subject-key-store.js';
import { createSubjectEncryptor } from './subject-keys.js';

// File-system integration: the subject key store and key files on a real directory.
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apprentice-privacy-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ring = () =>
  createKeyring({ keys: [{ id: 'k1', key: randomBytes(32), createdAt: '2026-01-01T00:00:00Z' }] });

describe('file subject key store', () => {
  it('stores wrapped keys outside the database; erase removes the file and shreds old ciphertext', async () => {
    const keyring = ring();
    const s = createSubjectEncryptor({ keyring, store: createFileSubjectKeyStore(join(dir, 'keys')) });
    const before = await s.encryptForSubject('ada@example.com', { email: 'ada@example.com' });
    const copied = JSON.parse(JSON.stringify(before)) as typeof before;
    const other = await s.encryptForSubject('alan', 'kept');
    const files = await readdir(join(dir, 'keys'));
    expect(files.sort()).toEqual(
      [`${s.subjectRef('ada@example.com')}.json`, `${s.subjectRef('alan')}.json`].sort(),
    );
    const content = await readFile(join(dir, 'keys', files[0]!), 'utf8');
    expect(content).not.toContain('ada@');
    expect((await stat(join(dir, 'keys', files[0]!))).mode & 0o777).toBe(0o600);

    expect(await s.erase('ada@example.com')).toBe(true);
    expect(await readdir(join(dir, 'keys'))).toEqual([`${s.subjectRef('alan')}.json`]);
    // a fresh process with the same master key and directory cannot decrypt the copy either
    const fresh = createSubjectEncryptor({ keyring, store: createFileSubjectKeyStore(join(dir, 'keys')) });
    const err = await fresh.decryptForSubject(copied).catch((e: unknown) => e);
    expect(isSubjectErasedError(err)).toBe(true);
    expect(await fresh.decryptForSubject(other)).toBe('kept');
  });

  it('never overwrites an existing key when two writers race (no temp files left)', async () => {
    const keyring = ring();
    const a = createSubjectEncryptor({ keyring, store: createFileSubjectKeyStore(dir) });
    const b = createSubjectEncryptor({ keyring, store: createFileSubjectKeyStore(dir) });
    const recs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).encryptForSubject('same', i)),
    );
    for (const [i, r] of recs.entries()) expect(await a.decryptForSubject(r)).toBe(i);
    expect(await readdir(dir)).toEqual([`${a.subjectRef('same')}.json`]);
  });

  it('rejects refs that could escape the directory', async () => {
    await expect(createFileSubjectKeyStore(dir).get('../../etc/passwd')).rejects.toThrowError(
      /invalid subject key ref/,
    );
  });
});

describe('key file', () => {
  it('saves atomically with mode 0600 and loads back; rotated keys keep old records readable', async () => {
    const path = join(dir, 'master-keys.json');
    const keyring = ring();
    const rec = createEnvelopeEncryptor(keyring).encrypt({ a: 1 });
    keyring.rotate({ id: 'k2' });
    await saveKeyringFile(path, keyring);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const loaded = loadKeyring({ env: { APPRENTICE_MASTER_KEY_FILE: path } });
    expect(loaded.activeKeyId).toBe('k2');
    expect(createEnvelopeEncryptor(loaded).decrypt(rec)).toEqual({ a: 1 });
  });

  it('a broken key file is a ConfigError naming the file', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{nope');
    expect(() => loadKeyring({ file: path })).toThrowError(/bad\.json is not valid JSON/);
    expect(() => loadKeyring({ file: join(dir, 'missing.json') })).toThrowError(
      /cannot read master key file/,
    );
  });
});
