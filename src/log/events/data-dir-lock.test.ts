import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError } from '../../core/errors.js';
import { lockDataDir } from './data-dir-lock.js';

describe('lockDataDir', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'lock-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('refuses a directory held by a live process, naming it', async () => {
    const d = dir();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    await once(holder, 'spawn');
    writeFileSync(join(d, 'apprentice.lock'), String(holder.pid));
    try {
      expect(() => lockDataDir(d)).toThrow(ConflictError);
      expect(() => lockDataDir(d)).toThrow(new RegExp(`in use by process ${holder.pid}`));
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
    // The holder is gone: its stale lock is taken over.
    const release = lockDataDir(d);
    release();
    expect(existsSync(join(d, 'apprentice.lock'))).toBe(false);
  });
});
