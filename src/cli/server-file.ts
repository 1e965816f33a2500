import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * `<dataDir>/apprentice.server.json`: which server holds this data directory, where it answers,
 * and the local admin secret its API accepts from this machine's CLI (mode 0600, beside the
 * master key file that whoever can read it holds anyway). Written by `serve` once it listens,
 * removed when it stops; a file left by a dead process is ignored.
 */
export const SERVER_FILE = 'apprentice.server.json';

export interface ServerFile {
  readonly pid: number;
  readonly url: string;
  readonly token: string;
  readonly startedAt: string;
  /**
   * When the kernel started the process (Linux: /proc/<pid>/stat field 22, clock ticks since
   * boot). A pid is reused once its process is gone: a file whose pid now names another process
   * (a server killed with SIGKILL, the machine rebooted) has a different start and is stale.
   */
  readonly procStart?: string;
  /** The server's HTTPS certificate (PEM, public), which the CLI trusts for this server alone. */
  readonly cert?: string;
}

/** The kernel's start time of `pid` (Linux), or undefined where /proc cannot say. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** A fresh local admin secret (never stored in the token table). */
export const localSecret = (): string => `apl_${randomBytes(32).toString('base64url')}`;

/** A URL the CLI can call: a wildcard bind address is reached on loopback. */
export function callableUrl(address: string): string {
  const u = new URL(address);
  if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
  else if (u.hostname === '[::]') u.hostname = '[::1]';
  return u.origin;
}

/** Write the file (atomically, 0600); returns its remover, which leaves another process's file alone. */
export function writeServerFile(dataDir: string, server: { url: string; token: string; cert?: string }): () => void {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, SERVER_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const procStart = processStart(process.pid);
  const body: ServerFile = { pid: process.pid, url: callableUrl(server.url), token: server.token, startedAt: new Date().toISOString(), ...(procStart ? { procStart } : {}), ...(server.cert ? { cert: server.cert } : {}) };
  writeFileSync(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    if (readServerFile(dir)?.pid === process.pid) rmSync(file, { force: true });
  };
}

/** The live server holding `dataDir`, if any (a missing, unreadable or stale file is none). */
export function readServerFile(dataDir: string): ServerFile | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(resolve(dataDir), SERVER_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  const f = parsed as Partial<ServerFile> | null;
  if (f === null || typeof f !== 'object' || typeof f.pid !== 'number' || typeof f.url !== 'string' || typeof f.token !== 'string') return undefined;
  if (!Number.isInteger(f.pid) || f.pid <= 0 || !alive(f.pid)) return undefined;
  // The pid is alive, but is it still the server's process? (A reused pid has another start.)
  if (typeof f.procStart === 'string') {
    const now = processStart(f.pid);
    if (now !== undefined && now !== f.procStart) return undefined;
  }
  return { pid: f.pid, url: f.url, token: f.token, startedAt: typeof f.startedAt === 'string' ? f.startedAt : '', ...(typeof f.procStart === 'string' ? { procStart: f.procStart } : {}), ...(typeof f.cert === 'string' ? { cert: f.cert } : {}) };
}
