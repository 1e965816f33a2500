import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { Command } from 'commander';
import { UnavailableError } from '../../core/index.js';
import { baseUrl, errorOf } from '../api.js';
import { needsStoppedServer, remoteOf, remoteOptions, type Remote, type RemoteFlags } from '../remote.js';
import cliProgress from 'cli-progress';
import { createApprentice, createArtifactStore, restoreBackup, writeBackup } from '../../runtime/index.js';
import { configFrom, storageConfigOf, storageOptions, type GlobalFlags } from '../common.js';
import { print } from '../output.js';
import { serverFetch } from '../server-fetch.js';

type BackupFlags = RemoteFlags & { out: string; includeMasterKey?: boolean };
type RestoreFlags = RemoteFlags & { in: string; replay?: boolean };

const progressBar = (flags: GlobalFlags, format: string): cliProgress.SingleBar | undefined =>
  flags.json || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar({ stream: process.stderr, format }, cliProgress.Presets.shades_classic);

/** `apprentice backup --out <file>`: the event log, model artifacts and wrapped subject keys, streamed (gzip'd NDJSON with a checksum). */
export function backupCommand(): Command {
  return remoteOptions(storageOptions(new Command('backup')))
    .description('write a backup of the event log, the model artifacts and the key metadata (gzip NDJSON with a sha256 trailer)')
    .requiredOption('--out <file>', 'backup file to write (written to a temporary name, then renamed)')
    .option('--include-master-key', 'also store the master key file IN CLEAR (default: keep it elsewhere)')
    .option('--json', 'print the result as JSON (no progress)')
    .action(async (flags: BackupFlags) => {
      const remote = remoteOf(flags);
      if (remote) {
        const r = await remoteBackup(remote, flags.out, flags.includeMasterKey === true);
        print({ file: flags.out, ...r, server: remote.api.url }, !!flags.json, () => `backup ${flags.out} from the server at ${remote.api.url}: ${r.events} events, ${r.artifacts} artifacts, ${r.keys} key files, ${r.bytes} bytes, sha256 ${r.sha256}`);
        return;
      }
      const a = await createApprentice({ config: storageConfigOf(configFrom(flags)), projector: false });
      const bar = progressBar(flags, 'backup {value} events');
      try {
        bar?.start(0, 0);
        const r = await writeBackup({ store: a.store, artifacts: await createArtifactStore(a), dataDir: a.config.dataDir }, flags.out, {
          includeMasterKey: flags.includeMasterKey === true,
          onProgress: (n) => bar?.update(n),
        });
        bar?.stop();
        print({ file: flags.out, ...r }, !!flags.json, () => `backup ${flags.out}: ${r.events} events, ${r.artifacts} artifacts, ${r.keys} key files, ${r.bytes} bytes, sha256 ${r.sha256}`);
      } finally {
        bar?.stop();
        await a.close();
      }
    });
}

/** `apprentice restore --in <file>`: verify, restore into an empty store, then replay the projections. */
export function restoreCommand(): Command {
  return remoteOptions(storageOptions(new Command('restore')))
    .description('verify a backup and restore it into an EMPTY event store, then rebuild the projections')
    .requiredOption('--in <file>', 'backup file written by apprentice backup')
    .option('--no-replay', 'do not replay afterwards: the projections are then built while appending (slower)')
    .option('--json', 'print the result as JSON (no progress bar)')
    .action(async (flags: RestoreFlags) => {
      // Restoring replaces the whole log under the server's in-memory state (registry, flags,
      // rollouts): refused while one runs, whatever the API, rather than half-applied.
      const remote = remoteOf(flags);
      if (remote) throw needsStoppedServer(remote, 'restore (it needs an empty store and rebuilds everything from the backup)');
      const a = await createApprentice({ config: storageConfigOf(configFrom(flags)), projector: false });
      const bar = progressBar(flags, 'restore [{bar}] {percentage}% {value}/{total} events');
      try {
        let started = false;
        // With the replay to follow, the events are only inserted: the replay builds each projection once.
        const r = await restoreBackup({ store: a.store, artifacts: await createArtifactStore(a), dataDir: a.config.dataDir }, flags.in, {
          projections: flags.replay === false,
          onProgress: (done, total) => {
            if (!bar) return;
            if (!started) bar.start(total, 0);
            started = true;
            bar.update(done);
          },
        });
        bar?.stop();
        const replayed = flags.replay === false ? undefined : await a.store.replay();
        print({ file: flags.in, ...r, replayed }, !!flags.json, () => `restored ${r.events} events, ${r.artifacts} artifacts, ${r.keys} key files from ${flags.in}${replayed ? `; replayed ${replayed.events} events` : ''}`);
      } finally {
        bar?.stop();
        await a.close();
      }
    });
}

/** `GET /api/v1/backup` of a running server, streamed to `file` (temporary name, renamed when complete). */
async function remoteBackup(remote: Remote, file: string, includeMasterKey: boolean): Promise<{ events: number; artifacts: number; keys: number; bytes: number; sha256: string }> {
  const url = new URL(`/api/v1/backup?includeMasterKey=${includeMasterKey}`, baseUrl(remote.api));
  let res: Response;
  try {
    res = await serverFetch(remote.api.cert)(url, { headers: remote.api.token ? { authorization: `Bearer ${remote.api.token}` } : {} });
  } catch (cause) {
    throw new UnavailableError(`cannot reach apprentice at ${url.origin}`, { cause });
  }
  if (!res.ok || res.body === null) throw errorOf(res.status, await res.text());
  const summary = JSON.parse(res.headers.get('x-apprentice-backup') ?? '{}') as { events: number; artifacts: number; keys: number; bytes: number; sha256: string };
  const tmp = `${file}.partial`;
  try {
    await pipeline(Readable.fromWeb(res.body as ReadableStream<Uint8Array>), createWriteStream(tmp, { mode: 0o600 }));
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return summary;
}
