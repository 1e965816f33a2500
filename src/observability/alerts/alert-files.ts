import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../core/index.js';

/** The package's `monitoring/` folder (shipped in the npm package). */
export const monitoringDir = (): string => join(packageRoot(), 'monitoring');

export interface AlertFilesWritten {
  /** Prometheus rule files, under `<out>/prometheus/rules/`. */
  readonly rules: readonly string[];
  /** The Alertmanager example, `<out>/alertmanager/alertmanager.yml`. */
  readonly alertmanager: string;
}

/**
 * Copies the alert rules and the Alertmanager example config into `out`
 * (`prometheus/rules/*.yml`, `alertmanager/alertmanager.yml`). Copying a folder onto
 * itself writes nothing.
 *
 * @example
 * const written = await writeAlertFiles('/etc/apprentice');
 */
export async function writeAlertFiles(
  out: string,
  source: string = monitoringDir(),
): Promise<AlertFilesWritten> {
  const rulesFrom = join(source, 'prometheus', 'rules');
  const rulesTo = join(resolve(out), 'prometheus', 'rules');
  const amFrom = join(source, 'alertmanager', 'alertmanager.yml');
  const amTo = join(resolve(out), 'alertmanager', 'alertmanager.yml');
  const names = (await readdir(rulesFrom)).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')).sort();
  const same = resolve(source) === resolve(out);
  if (!same) {
    await mkdir(rulesTo, { recursive: true });
    await mkdir(join(resolve(out), 'alertmanager'), { recursive: true });
    for (const n of names) await copyFile(join(rulesFrom, n), join(rulesTo, n));
    await copyFile(amFrom, amTo);
  }
  return { rules: names.map((n) => join(rulesTo, n)), alertmanager: amTo };
}
