import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { packageRoot, repositoryUrl, runbookBaseUrl } from '../../core/index.js';

/** The package's `monitoring/` folder (shipped in the npm package). */
export const monitoringDir = (): string => join(packageRoot(), 'monitoring');

/**
 * The runbook base the shipped rule files carry: the package repository's `docs/runbooks`
 * (`runbook_url: <base>/<AlertName>.md`). {@link writeAlertFiles} replaces it.
 */
export const shippedRunbookBase = (): string => `${repositoryUrl()}/blob/main/docs/runbooks`;

export interface WriteAlertFilesOptions {
  /** Runbook base URL written into every `runbook_url`. Default `runbookBaseUrl()` (env `APPRENTICE_RUNBOOK_BASE_URL`). */
  readonly runbookBaseUrl?: string;
  /** Where the shipped files are. Default the package's `monitoring/`. */
  readonly source?: string;
}

export interface AlertFilesWritten {
  /** Prometheus rule files, under `<out>/prometheus/rules/`. */
  readonly rules: readonly string[];
  /** The Prometheus scrape config that loads them, `<out>/prometheus/prometheus.yml`. */
  readonly prometheus: string;
  /** The Alertmanager example, `<out>/alertmanager/alertmanager.yml`. */
  readonly alertmanager: string;
  /** The base every `runbook_url` points at. */
  readonly runbookBaseUrl: string;
}

/**
 * Writes the alert rules, the Prometheus scrape config and the Alertmanager example config into
 * `out` (`prometheus/rules/*.yml`, `prometheus/prometheus.yml`, `alertmanager/alertmanager.yml`), every `runbook_url` on the
 * runbook base URL. Writing a folder onto itself with the shipped base writes nothing.
 *
 * @example
 * const written = await writeAlertFiles('/etc/apprentice', { runbookBaseUrl: 'https://wiki.example.com/runbooks' });
 */
export async function writeAlertFiles(out: string, options: WriteAlertFilesOptions = {}): Promise<AlertFilesWritten> {
  const source = options.source ?? monitoringDir();
  const base = (options.runbookBaseUrl ?? runbookBaseUrl()).replace(/\/+$/, '');
  const shipped = shippedRunbookBase();
  const rulesFrom = join(source, 'prometheus', 'rules');
  const rulesTo = join(resolve(out), 'prometheus', 'rules');
  const amFrom = join(source, 'alertmanager', 'alertmanager.yml');
  const amTo = join(resolve(out), 'alertmanager', 'alertmanager.yml');
  const promTo = join(resolve(out), 'prometheus', 'prometheus.yml');
  const names = (await readdir(rulesFrom)).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')).sort();
  const same = resolve(source) === resolve(out);
  if (!same || base !== shipped) {
    await mkdir(rulesTo, { recursive: true });
    await mkdir(join(resolve(out), 'alertmanager'), { recursive: true });
    for (const n of names) {
      const text = await readFile(join(rulesFrom, n), 'utf8');
      await writeFile(join(rulesTo, n), text.replaceAll(`runbook_url: ${shipped}/`, `runbook_url: ${base}/`));
    }
    if (!same) {
      await copyFile(amFrom, amTo);
      await copyFile(join(source, 'prometheus', 'prometheus.yml'), promTo);
    }
  }
  return { rules: names.map((n) => join(rulesTo, n)), prometheus: promTo, alertmanager: amTo, runbookBaseUrl: base };
}
