import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServe } from '../../src/cli/commands/serve.js';
import { issueToken } from '../../src/security/index.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** Screenshots of every run (gitignored). With UPDATE_PANEL_SCREENSHOTS=1 they are copied to docs/panel/. */
const ARTIFACTS = join(ROOT, 'test-artifacts', 'panel');
const DOCS = join(ROOT, 'docs', 'panel');
const AGENT = 'deploy-advisor';
// What a closed network needs: no sandbox (root in CI), no GPU, and no background traffic.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

type Built = Awaited<ReturnType<typeof buildServe>>;

/**
 * The control panel in real Chromium (playwright-core, /usr/bin/chromium, headless) against the
 * service as `serve` composes it, with tokens required: sign in, watch a rollout step made
 * elsewhere appear, roll it back from the page, find the audit row; a viewer sees no action and
 * a forged action with the viewer's token is refused.
 */
describe('control panel in Chromium', () => {
  let dir: string;
  let profile: string;
  let built: Built;
  let url: string;
  let ctx: BrowserContext;
  const tokens: Record<'viewer' | 'operator' | 'admin', string> = { viewer: '', operator: '', admin: '' };
  const env = { ...process.env };

  const call = async (method: string, path: string, role: keyof typeof tokens, body?: unknown): Promise<Response> =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  /** Waits for a page condition; fails with `what` after the deadline (the panel polls every 1 s). */
  const waitFor = async (page: Page, what: string, fn: () => Promise<boolean>, deadlineMs = 15_000): Promise<void> => {
    const until = Date.now() + deadlineMs;
    for (;;) {
      if (await fn()) return;
      if (Date.now() > until) {
        await page.screenshot({ path: join(ARTIFACTS, 'timeout.png'), fullPage: true });
        throw new Error(`timed out waiting for: ${what} (page: test-artifacts/panel/timeout.png)`);
      }
      await page.waitForTimeout(100);
    }
  };
  const shot = async (page: Page, name: string): Promise<void> => {
    const file = join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    if (process.env.UPDATE_PANEL_SCREENSHOTS === '1') copyFileSync(file, join(DOCS, `${name}.png`));
  };
  const signIn = async (role: keyof typeof tokens): Promise<Page> => {
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(url);
    await page.getByTestId('token-input').fill(tokens[role]);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('who').waitFor();
    expect(await page.getByTestId('who').textContent()).toContain(`panel-${role} · ${role}`);
    return page;
  };

  beforeAll(async () => {
    expect(existsSync('/usr/bin/chromium'), '/usr/bin/chromium is missing: run scripts/setup/ensure-tools.sh').toBe(true);
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-panel.mjs')]);
    mkdirSync(ARTIFACTS, { recursive: true });
    mkdirSync(DOCS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'apprentice-panel-'));
    profile = mkdtempSync(join(tmpdir(), 'apprentice-chromium-'));
    process.env.APPRENTICE_REQUIRE_AUTH = 'true';
    process.env.APPRENTICE_LOG_LEVEL = 'silent';
    built = await buildServe({ dataDir: dir, host: '127.0.0.1', port: '0' } as never, { rolloutIntervalMs: 3_600_000 });
    process.env.APPRENTICE_REQUIRE_AUTH = env.APPRENTICE_REQUIRE_AUTH;
    process.env.APPRENTICE_LOG_LEVEL = env.APPRENTICE_LOG_LEVEL;
    if (env.APPRENTICE_REQUIRE_AUTH === undefined) delete process.env.APPRENTICE_REQUIRE_AUTH;
    if (env.APPRENTICE_LOG_LEVEL === undefined) delete process.env.APPRENTICE_LOG_LEVEL;
    url = await built.app.listen({ host: '127.0.0.1', port: 0 });
    for (const role of ['viewer', 'operator', 'admin'] as const)
      tokens[role] = (await issueToken(built.platform.security.tokens, { name: `panel-${role}`, role })).token;
    const put = await call('PUT', `/api/v1/agents/${AGENT}`, 'admin', {
      kind: 'classification',
      labels: ['canary', 'blue-green', 'rolling'],
      feedback: 'reward',
      features: [
        { name: 'linesChanged', type: 'numeric' },
        { name: 'service', type: 'categorical' },
      ],
    });
    expect(put.status).toBe(201);
    // Some traffic, so the pages have rows.
    for (let i = 0; i < 40; i++) {
      const d = await call('POST', `/api/v1/agents/${AGENT}/decide`, 'operator', {
        unitId: `deploy-${i}`,
        context: { linesChanged: 20 + ((i * 37) % 400), service: ['api', 'web', 'worker'][i % 3] },
        deterministic: i % 4 === 0 ? 'blue-green' : 'canary',
      });
      expect(d.status).toBe(200);
      const { decisionId } = (await d.json()) as { decisionId: string };
      expect((await call('POST', `/api/v1/decisions/${decisionId}/outcome`, 'operator', { reward: i % 5 === 0 ? 0 : 1 })).status).toBe(202);
    }
    ctx = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
    // Building the panel, starting the service and Chromium beside the whole suite on 2 cores
    // took over vitest's default 60 s once.
  }, 180_000);
  afterAll(async () => {
    await ctx?.close();
    await built?.app.close();
    await built?.platform.stop();
    await built?.a.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  it('refuses a wrong token at sign-in and loads nothing from another origin', async () => {
    const page = await ctx.newPage();
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(url)) foreign.push(r.url());
    });
    await page.goto(url);
    await page.getByTestId('token-input').fill('apt_not-a-token');
    await page.getByTestId('signin-submit').click();
    await page.getByText('401 UNAUTHORIZED').waitFor();
    await shot(page, 'sign-in');
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('an operator watches a rollout advance, rolls it back from the page, and finds the audit row', async () => {
    const page = await signIn('operator');
    await page.getByTestId(`agent-row-${AGENT}`).waitFor();
    await shot(page, 'agents');

    await page.goto(`${url}/#/rollout/${AGENT}`);
    const step = page.getByTestId('rollout-step');
    await step.waitFor();
    expect(await step.textContent()).toBe('shadow');
    // An operator may not advance (admin): the button is not there.
    expect(await page.getByTestId('action-advance').count()).toBe(0);

    // Someone else (an admin, over the API) advances: the page shows it by polling.
    const adv = await call('POST', `/api/v1/rollouts/${AGENT}/advance`, 'admin', { reason: 'shadow evidence reviewed' });
    expect(adv.status).toBe(200);
    await waitFor(page, 'the advance to appear on the rollout page', async () => (await step.textContent()) === 'canary-5');
    await waitFor(page, 'the step row', async () => (await page.getByTestId('step-row').count()) === 1);
    await shot(page, 'rollout');

    // Roll back from the page: a confirmation that takes a reason; the actor is the token's name.
    await page.getByTestId('action-rollback').click();
    await page.getByTestId('confirm-reason').fill('error budget burning in eu-west');
    await page.getByTestId('confirm-ok').click();
    await waitFor(page, 'the rollback to show', async () => (await step.textContent()) === 'rolled_back');

    await page.goto(`${url}/#/audit`);
    await page.getByTestId('audit-actor').fill('panel-operator');
    await page.getByTestId('audit-type').selectOption('RolloutStepChanged');
    await waitFor(page, 'the audit row of the rollback', async () =>
      (await page.getByTestId('audit-row').filter({ hasText: 'error budget burning in eu-west' }).count()) === 1,
    );
    const row = page.getByTestId('audit-row').filter({ hasText: 'error budget burning in eu-west' });
    expect(await row.textContent()).toContain('RolloutStepChanged');
    expect(await row.textContent()).toContain('rollback: 5% → rolled_back');
    await page.getByTestId('audit-actor').fill('');
    await page.getByTestId('audit-type').selectOption('');
    await shot(page, 'audit');

    for (const [hash, name, ready] of [
      ['#/shadow', 'shadow', 'shadow-table'],
      ['#/models', 'models', undefined],
      ['#/flags', 'flags', 'flags-table'],
      ['#/breakers', 'breakers', 'breakers-table'],
      ['#/drift', 'drift', undefined],
    ] as const) {
      await page.goto(`${url}/${hash}`);
      if (ready) await page.getByTestId(ready).waitFor();
      else await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForTimeout(300);
      await shot(page, name);
    }
    await page.close();
  });

  it('a viewer sees no action button, and a forged action with the viewer token is refused 403', async () => {
    const page = await signIn('viewer');
    await page.getByTestId(`agent-row-${AGENT}`).waitFor();
    expect(await page.getByTestId('emergency-rollback').count()).toBe(0);
    await page.goto(`${url}/#/rollout/${AGENT}`);
    await page.getByTestId('rollout-step').waitFor();
    expect(await page.locator('[data-testid^="action-"]').count()).toBe(0);
    await page.goto(`${url}/#/breakers`);
    await page.getByTestId('breakers-table').waitFor();
    expect(await page.locator('[data-testid^="breakers-"] button, button[data-testid^="breakers-"]').count()).toBe(0);
    await shot(page, 'viewer');

    const forged = await page.evaluate(async (agent) => {
      const res = await fetch(`/api/v1/rollouts/${agent}/resume`, {
        method: 'POST',
        headers: { authorization: `Bearer ${(globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('apprentice.token')}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: res.status, body: (await res.json()) as { code?: string } };
    }, AGENT);
    expect(forged).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
    await page.close();
  });
});

describe('control panel in open mode (loopback, no token)', () => {
  it('needs no sign-in and acts as the local admin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apprentice-panel-open-'));
    const profile = mkdtempSync(join(tmpdir(), 'apprentice-chromium-'));
    const level = process.env.APPRENTICE_LOG_LEVEL;
    process.env.APPRENTICE_LOG_LEVEL = 'silent';
    const built = await buildServe({ dataDir: dir, host: '127.0.0.1', port: '0' } as never, { rolloutIntervalMs: 3_600_000 });
    if (level === undefined) delete process.env.APPRENTICE_LOG_LEVEL;
    else process.env.APPRENTICE_LOG_LEVEL = level;
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
    try {
      const url = await built.app.listen({ host: '127.0.0.1', port: 0 });
      const page = await ctx.newPage();
      await page.goto(`${url}/#/breakers`);
      await page.getByTestId('who').waitFor();
      expect(await page.getByTestId('who').textContent()).toBe('local · admin · open mode');
      expect(await page.getByTestId('token-input').count()).toBe(0);
      expect(await page.getByTestId('breakers-open-all').count()).toBe(1);
    } finally {
      await ctx.close();
      await built.app.close();
      await built.platform.stop();
      await built.a.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
