import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_FILE, processStart, readServerFile, writeServerFile } from './server-file.js';

describe('the server file', () => {
  const dirs: string[] = [];
  const dir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'apprentice-server-file-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('names the live server that wrote it, with the kernel start of its process, and its remover takes it away', () => {
    const d = dir();
    const remove = writeServerFile(d, { url: 'http://0.0.0.0:7000', token: 't' });
    const f = readServerFile(d);
    expect(f).toMatchObject({ pid: process.pid, url: 'http://127.0.0.1:7000', token: 't' });
    expect(f?.procStart).toBe(processStart(process.pid));
    expect(f?.procStart).toMatch(/^\d+$/);
    remove();
    expect(readServerFile(d)).toBeUndefined();
  });

  it('is stale when its pid now names another process (reused after a SIGKILL or a reboot)', async () => {
    const d = dir();
    // Another live process holds the pid the file names: same pid, another start.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => other.once('spawn', r));
      const pid = other.pid!;
      const real = processStart(pid)!;
      const file = join(d, SERVER_FILE);
      writeFileSync(file, JSON.stringify({ pid, url: 'http://127.0.0.1:7000', token: 't', startedAt: new Date().toISOString(), procStart: String(Number(real) - 1) }));
      expect(readServerFile(d)).toBeUndefined();
      // The same file naming the process's real start is its server.
      writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), procStart: real }));
      expect(readServerFile(d)).toMatchObject({ pid, procStart: real });
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('is stale when its process is gone; a file from before procStart is judged by the pid alone', async () => {
    const d = dir();
    const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => gone.once('exit', r));
    writeFileSync(join(d, SERVER_FILE), JSON.stringify({ pid: gone.pid, url: 'http://127.0.0.1:7000', token: 't', startedAt: '' }));
    expect(readServerFile(d)).toBeUndefined();
    writeFileSync(join(d, SERVER_FILE), JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:7000', token: 't', startedAt: '' }));
    expect(readServerFile(d)).toMatchObject({ pid: process.pid });
  });
});
