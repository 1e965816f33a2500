import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError } from '../../core/index.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One process at a time may open an embedded (PGlite) data directory: two would corrupt it.
 * Takes `<dir>/apprentice.lock` with this process id; a lock left by a dead process is taken
 * over. Returns the release function.
 */
export function lockDataDir(dir: string, what = 'the embedded store'): () => void {
  const file = join(dir, 'apprentice.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid))
        throw new ConflictError(
          `${what} in ${dir} is in use by process ${pid}: stop it, or talk to it over HTTP (apprentice flags/rollouts/breakers --url ...)`,
        );
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new ConflictError(`cannot lock ${what} in ${dir}`);
}
