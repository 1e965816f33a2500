import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { createApprentice, createArtifactStore, restoreBackup, writeBackup } from '../../runtime/index.js';
import { configFrom, storageOptions, type GlobalFlags } from '../common.js';
import { print } from '../output.js';

type BackupFlags = GlobalFlags & { out: string; includeMasterKey?: boolean };
type RestoreFlags = GlobalFlags & { in: string; replay?: boolean };

const progressBar = (flags: GlobalFlags, format: string): cliProgress.SingleBar | undefined =>
  flags.json || !process.stderr.isTTY ? undefined : new cliProgress.SingleBar({ stream: process.stderr, format }, cliProgress.Presets.shades_classic);

/** `apprentice backup --out <file>`: the event log, model artifacts and wrapped subject keys, streamed (gzip'd NDJSON with a checksum). */
export function backupCommand(): Command {
  return storageOptions(new Command('backup'))
    .description('write a backup of the event log, the model artifacts and the key metadata (gzip NDJSON with a sha256 trailer)')
    .requiredOption('--out <file>', 'backup file to write (written to a temporary name, then renamed)')
    .option('--include-master-key', 'also store the master key file IN CLEAR (default: keep it elsewhere)')
    .option('--json', 'print the result as JSON (no progress)')
    .action(async (flags: BackupFlags) => {
      const a = await createApprentice({ config: configFrom(flags), projector: false });
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
  return storageOptions(new Command('restore'))
    .description('verify a backup and restore it into an EMPTY event store, then rebuild the projections')
    .requiredOption('--in <file>', 'backup file written by apprentice backup')
    .option('--no-replay', 'skip rebuilding the projections afterwards')
    .option('--json', 'print the result as JSON (no progress bar)')
    .action(async (flags: RestoreFlags) => {
      const a = await createApprentice({ config: configFrom(flags), projector: false });
      const bar = progressBar(flags, 'restore [{bar}] {percentage}% {value}/{total} events');
      try {
        let started = false;
        const r = await restoreBackup({ store: a.store, artifacts: await createArtifactStore(a), dataDir: a.config.dataDir }, flags.in, {
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
