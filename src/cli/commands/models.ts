import { readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { ValidationError, type NewEvent } from '../../core/index.js';
import { type ApiFlags, apiOptions, callApi, readJsonFile, runAction } from '../api.js';
import { ModelRegistry } from '../../learning/index.js';
import { createApprentice, createArtifactStore, type Apprentice } from '../../runtime/index.js';
import { configFrom, storageConfigOf, storageOptions, type GlobalFlags } from '../common.js';
import { fail, print, table } from '../output.js';
import { remoteOf, remoteOptions, type RemoteFlags } from '../remote.js';

interface ModelsFlags extends RemoteFlags {
  readonly reason?: string;
  readonly actor?: string;
}

/** Open storage, rebuild the registry from the log; events it records are appended directly. */
async function withRegistry(flags: GlobalFlags, fn: (r: ModelRegistry, a: Apprentice) => Promise<void> | void): Promise<void> {
  const a = await createApprentice({ config: storageConfigOf(configFrom(flags)), projector: false });
  const pending: NewEvent[] = [];
  try {
    const registry = new ModelRegistry({ dir: join(resolve(a.config.dataDir), 'models'), artifacts: await createArtifactStore(a), sink: { record: (e) => pending.push(e) } });
    await registry.catchUp(a.store);
    await fn(registry, a);
    if (pending.length > 0) await a.store.append(pending);
  } catch (e) {
    process.exitCode = fail(e);
  } finally {
    await a.close();
  }
}

/**
 * `apprentice models list | versions <agent> | alias <agent> <alias> <version> --reason <why>`
 * (from storage: the event log) and `models register <agent> <file>` (through a running server,
 * which must serve the new version).
 * @example apprentice models alias debugger production 3 --reason "rollback after alert"
 */
export function modelsCommand(): Command {
  const cmd = new Command('models').description('model registry: versions, aliases and their history');
  type ModelRow = { agent: string; latest: number | null; aliases: Record<string, number> };
  const showList = (rows: ModelRow[], json: boolean) =>
    print(rows, json, () =>
      rows.length === 0 ? 'no models registered' : table([['AGENT', 'LATEST', 'ALIASES'], ...rows.map((x) => [x.agent, String(x.latest ?? '-'), Object.entries(x.aliases).map(([k, v]) => `${k}=${v}`).join(' ')])]),
    );
  remoteOptions(storageOptions(cmd.command('list')))
    .description('agents with registered models, their latest version and aliases')
    .option('--json', 'print as JSON')
    .action((flags: ModelsFlags) => {
      const remote = remoteOf(flags);
      if (remote) return runAction(async () => showList((await callApi<{ models: ModelRow[] }>(remote.api, 'GET', '/api/v1/models')).models, !!flags.json));
      return withRegistry(flags, (r) => showList(r.agents().map((agent) => ({ agent, latest: r.latest(agent)?.version ?? null, aliases: r.aliases(agent) })), !!flags.json));
    });
  type VersionsView = { agent: string; versions: ReturnType<ModelRegistry['versions']>; aliases: Record<string, number>; history: ReturnType<ModelRegistry['aliasHistory']> };
  remoteOptions(storageOptions(cmd.command('versions <agent>')))
    .description('versions of an agent’s model with metrics and lineage, and the alias history')
    .option('--json', 'print as JSON')
    .action((agent: string, flags: ModelsFlags) => {
      const show = (data: VersionsView) =>
        print(data, !!flags.json, () =>
          [
            table([['VERSION', 'FORMAT', 'CREATED', 'SHA256', 'METRICS'], ...data.versions.map((v) => [String(v.version), v.format, v.createdAt, v.sha256.slice(0, 12), Object.entries(v.metrics).map(([k, x]) => `${k}=${x === null ? '-' : Number(x.toFixed(4))}`).join(' ')])]),
            '',
            table([['ALIAS', 'FROM', 'TO', 'ROLLBACK', 'ACTOR', 'AT', 'REASON'], ...data.history.map((m) => [m.alias, String(m.from ?? '-'), String(m.to), m.rollback ? 'yes' : '', m.actor, m.at, m.reason])]),
          ].join('\n'),
        );
      const remote = remoteOf(flags);
      if (remote) return runAction(async () => show(await callApi<VersionsView>(remote.api, 'GET', `/api/v1/models/${encodeURIComponent(agent)}/versions`)));
      return withRegistry(flags, (r) => show({ agent, versions: r.versions(agent), aliases: r.aliases(agent), history: r.aliasHistory(agent) }));
    });
  remoteOptions(storageOptions(cmd.command('alias <agent> <alias> <version>')))
    .description('point an alias at a version (moving it back is a rollback); recorded with who and why')
    .requiredOption('--reason <why>', 'why (kept in the audit trail)')
    .option('--actor <name>', 'who (default: $USER or cli)')
    .option('--json', 'print as JSON')
    .action((agent: string, alias: string, version: string, flags: ModelsFlags) => {
      const n = Number(version);
      const show = (move: { from: number | null; to: number; rollback: boolean }) =>
        print(move, !!flags.json, () => `${agent}@${alias}: ${move.from ?? '-'} -> ${move.to}${move.rollback ? ' (rollback)' : ''}`);
      const remote = remoteOf(flags);
      if (remote)
        return runAction(async () => {
          if (!Number.isInteger(n) || n < 1) throw new ValidationError('invalid version', [{ path: 'version', message: 'a positive integer' }]);
          show(await callApi(remote.api, 'PUT', `/api/v1/models/${encodeURIComponent(agent)}/aliases/${encodeURIComponent(alias)}`, { version: n, reason: flags.reason ?? '' }));
        });
      return withRegistry(flags, (r) => show(r.setAlias(agent, alias, Number.isInteger(n) ? n : NaN, { actor: flags.actor ?? process.env.USER ?? 'cli', reason: flags.reason ?? '' })));
    });
  apiOptions(cmd.command('register').argument('<agent>').argument('<file>', 'a model.json artifact (learner or reward) or an .onnx file'))
    .description('register a new model version with a running server (ONNX needs --meta and the optional package onnxruntime-node)')
    .option('--meta <file>', 'ONNX only: JSON {task, featureSpec, classes?, encoder?, inputName?, outputName?}')
    .option('--metrics <json>', 'metrics to record with the version, e.g. \'{"accuracy":0.91}\'')
    .option('--alias <alias>', 'then point this alias (e.g. shadow) at the new version')
    .option('--reason <why>', 'why (audit trail of the alias move)')
    .action((agent: string, file: string, flags: ApiFlags & { meta?: string; metrics?: string; alias?: string; reason?: string }) =>
      runAction(async () => {
        const body = registerBody(file, flags);
        const v = await callApi<{ agent: string; version: number; format: string; sha256: string }>(flags, 'POST', `/api/v1/models/${encodeURIComponent(agent)}/versions`, body);
        let moved: { from: number | null; to: number } | undefined;
        if (flags.alias) {
          moved = await callApi(flags, 'PUT', `/api/v1/models/${encodeURIComponent(agent)}/aliases/${encodeURIComponent(flags.alias)}`, {
            version: v.version,
            reason: flags.reason ?? `registered from ${file}`,
          });
        }
        print({ ...v, ...(moved ? { alias: { name: flags.alias, ...moved } } : {}) }, !!flags.json, () =>
          `${v.agent}: version ${v.version} (${v.format}, sha256 ${v.sha256.slice(0, 12)})${moved ? `; ${flags.alias} ${moved.from ?? '-'} -> ${moved.to}` : ''}`,
        );
      }),
    );
  return cmd;
}

/** The request body of `models register` from a file: `.onnx` (with `--meta`) or a JSON artifact. */
function registerBody(file: string, flags: { meta?: string; metrics?: string }): Record<string, unknown> {
  let metrics: unknown;
  if (flags.metrics !== undefined) {
    try {
      metrics = JSON.parse(flags.metrics);
    } catch (cause) {
      throw new ValidationError('--metrics is not JSON', [{ path: 'metrics', message: (cause as Error).message }], { cause });
    }
  }
  const extra = metrics === undefined ? {} : { metrics };
  if (extname(file).toLowerCase() === '.onnx') {
    if (!flags.meta) throw new ValidationError('an ONNX model needs --meta <file>', [{ path: 'meta', message: 'JSON {task, featureSpec, classes?, ...}: how to build its input and read its output' }]);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (cause) {
      throw new ValidationError(`cannot read ${file}`, [{ path: 'file', message: (cause as Error).message }], { cause });
    }
    return { format: 'onnx', model: bytes.toString('base64'), meta: readJsonFile(flags.meta, 'ONNX metadata'), ...extra };
  }
  if (flags.meta) throw new ValidationError('--meta applies to .onnx files only', [{ path: 'meta', message: 'a JSON artifact carries its own feature spec' }]);
  const artifact = readJsonFile(file, 'model artifact') as { format?: unknown };
  if (artifact === null || typeof artifact !== 'object' || (artifact.format !== 'learner' && artifact.format !== 'reward'))
    throw new ValidationError(`${file} is not a model artifact`, [{ path: 'format', message: 'expected "learner" or "reward" (or give an .onnx file)' }]);
  return { format: artifact.format, artifact, ...extra };
}
