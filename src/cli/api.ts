import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApprenticeError, ErrorCode, UnavailableError, ValidationError, type FieldIssue } from '../core/index.js';
import { fail } from './output.js';
import { readServerFile } from './server-file.js';
import { serverFetch } from './server-fetch.js';

/** Options of every command that talks to a running server. */
export interface ApiFlags {
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
  /** Find the server through the data directory it holds (its `apprentice.server.json`). */
  readonly dataDir?: string;
  /** The certificate to trust for this server alone (from the server file of the data directory it holds). */
  readonly cert?: string;
}

/**
 * The server a command talks to: `--url`, else `APPRENTICE_URL`, else the server holding the
 * data directory (`--data-dir`, `APPRENTICE_DATA_DIR`, ./.apprentice), else http://127.0.0.1:8080.
 */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

export function apiOptions(cmd: Command): Command {
  return (
    cmd
      .option('--url <url>', `server base URL (env APPRENTICE_URL; default: the server holding --data-dir, else ${DEFAULT_URL})`)
      .option('--token <token>', 'API token (env APPRENTICE_TOKEN; default for the server holding --data-dir: its local admin secret)')
      .option('--data-dir <dir>', 'find the server through the data directory it holds (env APPRENTICE_DATA_DIR, default ./.apprentice)')
      .option('--json', 'print JSON')
      // A malformed URL is refused before the command reads any file or calls anything.
      .hook('preAction', (_self, action) => void baseUrl(action.opts<ApiFlags>()))
  );
}

/** `--url`, then `APPRENTICE_URL`, then the default; a malformed URL is a usage error (exit 2). */
export function baseUrl(flags: ApiFlags): URL {
  const raw = flags.url ?? process.env.APPRENTICE_URL ?? localServer(flags)?.url ?? DEFAULT_URL;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return u;
  } catch {
    throw new ValidationError(`invalid server URL "${raw.slice(0, 200)}"`, [
      { path: flags.url === undefined ? 'APPRENTICE_URL' : 'url', message: 'must be an absolute http(s) URL' },
    ]);
  }
}

/** The live server holding the data directory, when neither `--url` nor `APPRENTICE_URL` names one. */
function localServer(flags: ApiFlags): { url: string; token: string; cert?: string } | undefined {
  if (flags.url !== undefined || process.env.APPRENTICE_URL !== undefined) return undefined;
  return readServerFile(flags.dataDir ?? process.env.APPRENTICE_DATA_DIR ?? './.apprentice');
}

const CODES = new Set<string>(Object.values(ErrorCode));

/**
 * Call the HTTP API; a problem+json answer becomes an ApprenticeError with its code and field
 * issues (so a 400 exits 2 and everything else 1, as `fail` maps them).
 */
export async function callApi<T>(flags: ApiFlags, method: string, path: string, body?: unknown, reason?: string): Promise<T> {
  const base = baseUrl(flags);
  const local = localServer(flags);
  const token = flags.token ?? process.env.APPRENTICE_TOKEN ?? local?.token;
  let res: Response;
  try {
    res = await serverFetch(flags.cert ?? local?.cert)(new URL(path, base), {
      method,
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(reason ? { 'x-apprentice-reason': reason } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (cause) {
    throw new UnavailableError(`cannot reach apprentice at ${base.origin} (is \`apprentice serve\` running?)`, { cause });
  }
  const text = await res.text();
  if (res.ok) return parseBody(text) as T;
  throw errorOf(res.status, text);
}

function parseBody(text: string): Record<string, unknown> {
  try {
    return text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    return { detail: text.slice(0, 500) };
  }
}

/** The error of a failed answer: its problem+json code and field issues (a 400 is a usage error). */
export function errorOf(status: number, text: string): ApprenticeError {
  const data = parseBody(text);
  const message = typeof data.detail === 'string' ? data.detail : typeof data.title === 'string' ? data.title : `HTTP ${status}`;
  const issues = Array.isArray(data.errors) ? (data.errors as FieldIssue[]) : [];
  if (status === 400 || data.code === ErrorCode.VALIDATION) return new ValidationError(message, issues);
  return new ApprenticeError(typeof data.code === 'string' && CODES.has(data.code) ? (data.code as ErrorCode) : ErrorCode.INTERNAL, message);
}

/** Run an action; a failure sets the exit code (2 bad input, 1 otherwise) after printing it. */
export function runAction(action: () => Promise<void>): Promise<void> {
  return action().catch((e: unknown) => {
    process.exitCode = fail(e);
  });
}

/** Read a JSON document from a file (`-` for stdin); unreadable or malformed input is a usage error. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (cause) {
    throw new ValidationError(`cannot read ${what} from ${file}`, [{ path: 'file', message: (cause as Error).message }], { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ValidationError(`${what} in ${file} is not JSON`, [{ path: 'file', message: (cause as Error).message }], { cause });
  }
}
