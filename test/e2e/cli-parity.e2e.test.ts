import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeatureEncoder, createLogisticRegression } from '../../src/learning/learners/index.js';
import { runCli, startCli, type RunningServer } from '../support/cli-process.js';

// The built CLI against a started `serve` (embedded storage). The server is named only by
// APPRENTICE_URL, so every command here proves it honours the variable.
describe('CLI parity: agents, models register, rollouts pause|resume|advance', () => {
  let dir: string;
  let server: RunningServer;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-cli-parity-'));
    server = await startCli(['serve', '--data-dir', join(dir, 'data'), '--port', '0'], { APPRENTICE_LOG_LEVEL: 'silent' });
    env = { APPRENTICE_URL: server.url };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('agents put | get', { timeout: 60_000 }, async () => {
    const file = join(dir, 'refund-guard.json');
    writeFileSync(file, JSON.stringify({ kind: 'classification', labels: ['approve', 'reject'], feedback: 'label', features: [{ name: 'amount', type: 'numeric' }] }));
    const put = await cli('agents', 'put', 'refund-guard', file, '--reason', 'first version', '--json');
    expect(put.code, put.stderr).toBe(0);
    expect(JSON.parse(put.stdout)).toMatchObject({ name: 'refund-guard', version: 1 });
    const same = await cli('agents', 'put', 'refund-guard', file);
    expect(same.stdout, 'an unchanged definition keeps its version').toMatch(/refund-guard is now version 1/);
    writeFileSync(file, JSON.stringify({ kind: 'classification', labels: ['approve', 'reject', 'escalate'], feedback: 'label', features: [{ name: 'amount', type: 'numeric' }] }));
    const again = await cli('agents', 'put', 'refund-guard', file);
    expect(again.stdout).toMatch(/refund-guard is now version 2/);
    const one = await cli('agents', 'get', 'refund-guard', '--json');
    expect(JSON.parse(one.stdout)).toMatchObject({ name: 'refund-guard', kind: 'classification', version: 2 });
    const all = await cli('agents', 'get');
    expect(all.stdout).toMatch(/refund-guard\s+2\s+classification\s+label\s+1/);
    writeFileSync(file, JSON.stringify({ kind: 'classification', feedback: 'label', features: [{ name: 'amount', type: 'numeric' }] }));
    const bad = await cli('agents', 'put', 'refund-guard', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/labels: a classification agent needs its label set/);
  });

  it('models register <agent> <model.json> --alias', { timeout: 60_000 }, async () => {
    const enc = createFeatureEncoder([{ name: 'amount', type: 'numeric' }]);
    const model = createLogisticRegression({ featureCount: enc.dimension });
    for (let i = 0; i < 40; i++) {
      enc.observe({ amount: i });
      model.partialFit(enc.encode({ amount: i }), i > 20 ? 'reject' : 'approve');
    }
    const file = join(dir, 'model.json');
    writeFileSync(file, JSON.stringify({ format: 'learner', task: 'classification', encoder: enc.toJSON(), learner: model.toJSON() }));
    const r = await cli('models', 'register', 'refund-guard', file, '--alias', 'shadow', '--reason', 'hand-trained', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ agent: 'refund-guard', version: 1, format: 'learner', alias: { name: 'shadow', to: 1 } });
    const versions = (await (await fetch(`${server.url}/api/v1/models/refund-guard/versions`)).json()) as { aliases: Record<string, number> };
    expect(versions.aliases).toEqual({ shadow: 1 });
    writeFileSync(file, JSON.stringify({ format: 'learner', task: 'classification', encoder: {}, learner: { type: 'nonsense' } }));
    const bad = await cli('models', 'register', 'refund-guard', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/MODEL_INVALID|VALIDATION_FAILED/);
  });

  it('rollouts pause | resume | advance, each an audited step change', { timeout: 60_000 }, async () => {
    const step = async (...args: string[]) => {
      const r = await cli('rollouts', ...args, '--json');
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { step: string }).step;
    };
    expect(await step('pause', 'refund-guard', '--reason', 'looking at it')).toBe('paused(shadow)');
    expect(await step('resume', 'refund-guard')).toBe('shadow');
    expect(await step('advance', 'refund-guard', '--reason', 'trial')).toBe('canary-5');
    expect(await step('refund-guard')).toBe('canary-5');
    const events = (await (await fetch(`${server.url}/api/v1/events?type=RolloutStepChanged&limit=100`)).json()) as { events: { data: { agent: string }; metadata: { reason?: string } }[] };
    const mine = events.events.filter((e) => e.data.agent === 'refund-guard');
    expect(mine.map((e) => e.metadata.reason)).toEqual(expect.arrayContaining(['looking at it', 'trial']));
    const wrong = await cli('rollouts', 'resume', 'refund-guard');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/CONFLICT/);
  });

  it('breakers and --url: the flag wins over APPRENTICE_URL', { timeout: 60_000 }, async () => {
    const viaEnv = await cli('breakers', '--json');
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ heldOpen: false });
    const r = await runCli(['breakers', 'list', '--url', server.url, '--json'], { APPRENTICE_URL: 'http://127.0.0.1:9' });
    expect(r.code, r.stderr).toBe(0);
    const down = await runCli(['breakers'], { APPRENTICE_URL: 'http://127.0.0.1:9' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach apprentice at http:\/\/127\.0\.0\.1:9/);
  });
});
