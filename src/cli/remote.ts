import type { Command } from 'commander';
import { ConflictError } from '../core/index.js';
import { type ApiFlags, baseUrl } from './api.js';
import { configFrom, type GlobalFlags } from './common.js';
import { readServerFile } from './server-file.js';

/** Options of a storage command that can also go through a running server. */
export interface RemoteFlags extends GlobalFlags {
  readonly url?: string;
  readonly token?: string;
}

/** A running server a storage command goes through, and how it was found. */
export interface Remote {
  readonly api: ApiFlags;
  /** `url`: given with --url; `data-dir`: the server holding the data directory. */
  readonly via: 'url' | 'data-dir';
  readonly pid?: number;
}

/** `--url` and `--token` on a storage command (the storage options stay: they find the data directory). */
export function remoteOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'go through the HTTP API of this server (env APPRENTICE_URL; default: the server holding the data directory, if one runs)')
    .option('--token <token>', 'API token for --url (env APPRENTICE_TOKEN; the server holding the data directory accepts its local admin secret)')
    .hook('preAction', (_self, action) => {
      const f = action.opts<RemoteFlags>();
      // A malformed --url or APPRENTICE_URL is refused before anything runs (exit 2, naming which).
      if (f.url !== undefined || process.env.APPRENTICE_URL !== undefined) void baseUrl(f.url !== undefined ? { url: f.url } : {});
    });
}

/**
 * Where a command that reads or changes state goes (issue 14): through the HTTP API when
 * `--url` (or APPRENTICE_URL) is given, or when a live `serve` holds the data directory (its
 * `apprentice.server.json`); otherwise undefined: open the storage directly.
 */
export function remoteOf(flags: RemoteFlags): Remote | undefined {
  const url = flags.url ?? process.env.APPRENTICE_URL;
  if (url !== undefined) {
    const token = flags.token ?? process.env.APPRENTICE_TOKEN;
    return { api: { url, ...(token ? { token } : {}), json: flags.json ?? false }, via: 'url' };
  }
  const server = readServerFile(configFrom(flags).dataDir);
  if (server === undefined) return undefined;
  return { api: { url: server.url, token: flags.token ?? server.token, json: flags.json ?? false, ...(server.cert ? { cert: server.cert } : {}) }, via: 'data-dir', pid: server.pid };
}

/** A command that cannot run under a live server (it replaces the store underneath it). */
export function needsStoppedServer(remote: Remote, what: string): ConflictError {
  const who = remote.via === 'url' ? `the server at ${remote.api.url}` : `the server (process ${remote.pid}) holding the data directory, at ${remote.api.url}`;
  return new ConflictError(`${what} cannot run through ${who}: stop it first, then run this command against the storage`);
}
