import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../support/cli-process.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// `npm pack`, installed into an empty folder the way a user installs it: the package must carry
// everything its commands read (migrations/, monitoring/), run without the dev dependencies,
// and without the optional onnxruntime-node.
describe('the packed package, installed into an empty folder', () => {
  let dir: string;
  let app: string;
  let bin: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    exec(process.execPath, [bin, ...args], { cwd: app, env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', ...env } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-pack-'));
    const { stdout } = await exec(npm, ['pack', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    const tgz = join(dir, packed!.filename);
    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'tryout', version: '1.0.0', private: true, type: 'module' }));
    await exec(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tgz], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
    bin = join(app, 'node_modules', 'apprentice', 'dist', 'bin', 'apprentice.js');
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships no dev-only dependency and leaves onnxruntime-node optional', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules', 'apprentice', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
    };
    // pg-copy-streams is a runtime dependency since restore streams the log back by COPY.
    for (const dev of ['@openfeature/flagd-core', 'onnxruntime-node']) expect(manifest.dependencies).not.toHaveProperty(dev);
    expect(manifest.peerDependenciesMeta['onnxruntime-node']).toEqual({ optional: true });
    expect(existsSync(join(app, 'node_modules', 'onnxruntime-node'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'apprentice', 'monitoring', 'grafana', 'provisioning'))).toBe(true);
  });

  it('apprentice alerts and apprentice dashboards write the monitoring files', { timeout: 120_000 }, async () => {
    const alerts = await run(['alerts', '--out', 'mon', '--json']);
    const written = JSON.parse(alerts.stdout) as { rules: string[]; prometheus: string; alertmanager: string; runbookBaseUrl: string };
    expect(written.rules.length).toBeGreaterThanOrEqual(1);
    for (const f of [...written.rules, written.prometheus, written.alertmanager]) expect(existsSync(f), f).toBe(true);
    expect(readFileSync(written.rules[0]!, 'utf8')).toMatch(/runbook_url: https:\/\/github\.com\/apprentice\/apprentice\/blob\/main\/docs\/runbooks\/Apprentice/);
    const custom = await run(['alerts', '--out', 'mon2', '--json'], { APPRENTICE_RUNBOOK_BASE_URL: 'https://wiki.example.com/rb' });
    expect((JSON.parse(custom.stdout) as { runbookBaseUrl: string }).runbookBaseUrl).toBe('https://wiki.example.com/rb');
    const dashboards = await run(['dashboards', '--out', 'dash', '--json']);
    const files = (JSON.parse(dashboards.stdout) as { files: string[] }).files;
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(readdirSync(join(app, 'dash')).filter((f) => f.endsWith('.json'))).toHaveLength(files.length);
  });

  it('apprentice migrate (embedded) and serve answer', { timeout: 180_000 }, async () => {
    const m = await run(['migrate', '--data-dir', join(app, 'data-migrate'), '--json']);
    const result = JSON.parse(m.stdout) as { store: string; migrations: { version: number }[] };
    expect(result.migrations.length).toBeGreaterThanOrEqual(1);
    const server = await startCli(['serve', '--data-dir', join(app, 'data-serve'), '--port', '0'], { APPRENTICE_LOG_LEVEL: 'silent' }, undefined, bin);
    try {
      expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'ok' });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('imports the learners, the encoder and the feature spec (root and apprentice/learning); ONNX names the missing package', { timeout: 120_000 }, async () => {
    const script = `
      import { createLogisticRegression, createFeatureEncoder, resolveFeatureSpec } from 'apprentice';
      import * as learning from 'apprentice/learning';
      const spec = [{ name: 'amount', type: 'numeric' }, { name: 'country', type: 'categorical', vocabulary: ['pl', 'de'] }];
      if (resolveFeatureSpec(spec).length !== 2) throw new Error('feature spec');
      const enc = createFeatureEncoder(spec);
      const model = createLogisticRegression({ featureCount: enc.dimension });
      for (let i = 0; i < 20; i++) { const c = { amount: i, country: i % 2 ? 'pl' : 'de' }; enc.observe(c); model.partialFit(enc.encode(c), i > 9 ? 'reject' : 'approve'); }
      const tree = learning.createHoeffdingTree({ featureCount: enc.dimension });
      const onnx = await learning.loadOnnxModel(new Uint8Array([1, 2, 3]), { task: 'classification', classes: ['a', 'b'] }).then(() => 'loaded', (e) => e.message);
      console.log(JSON.stringify({ prediction: model.predict(enc.encode({ amount: 15, country: 'pl' })), tree: typeof tree.partialFit, learners: Object.keys(learning).length, onnx }));
    `;
    writeFileSync(join(app, 'use.mjs'), script);
    const { stdout } = await exec(process.execPath, ['use.mjs'], { cwd: app });
    const out = JSON.parse(stdout.trim()) as { prediction: string; tree: string; learners: number; onnx: string };
    expect(out.prediction).toBe('reject');
    expect(out.tree).toBe('function');
    expect(out.learners).toBeGreaterThan(10);
    expect(out.onnx).toMatch(/optional package onnxruntime-node, which is not installed: run `npm install onnxruntime-node`/);
  });
});
