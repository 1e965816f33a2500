import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { docsBaseUrl, repositoryUrl, runbookBaseUrl } from '../../src/core/docs-url.js';
import { ErrorCode } from '../../src/core/errors.js';
import { EDGE_PROBLEM_CODES, problem } from '../../src/core/http/problem.js';
import { writeAlertFiles } from '../../src/observability/alerts/alert-files.js';

const root = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { repository: { url: string } };

describe('docs/problems.md and error types', () => {
  const doc = readFileSync(join(root, 'docs', 'problems.md'), 'utf8');
  const codes = [...Object.values(ErrorCode), ...Object.keys(EDGE_PROBLEM_CODES)];

  it('has a row, with its anchor, for every code the API answers, in upper case as the API', () => {
    for (const code of codes) expect(doc, code).toContain(`| <a id="${code.toLowerCase()}"></a>\`${code}\` |`);
    const listed = [...doc.matchAll(/^\| <a id="[a-z_]+"><\/a>`([^`]+)`/gm)].map((m) => m[1]!);
    expect(listed.sort()).toEqual([...codes].sort());
  });

  it('error types link to that row, under the package repository (or APPRENTICE_DOCS_BASE_URL)', () => {
    expect(repositoryUrl()).toBe(manifest.repository.url.replace(/^git\+/, '').replace(/\.git$/, ''));
    const p = problem(409, ErrorCode.CONFLICT, 'nope');
    expect(p.type).toBe(`${repositoryUrl()}/blob/main/docs/problems.md#conflict`);
    vi.stubEnv('APPRENTICE_DOCS_BASE_URL', 'https://docs.example.com/apprentice/');
    try {
      expect(problem(404, ErrorCode.NOT_FOUND).type).toBe('https://docs.example.com/apprentice/problems.md#not_found');
      expect(runbookBaseUrl()).toBe('https://docs.example.com/apprentice/runbooks');
    } finally {
      vi.unstubAllEnvs();
    }
    expect(docsBaseUrl({})).toBe(`${repositoryUrl()}/blob/main/docs`);
  });
});

describe('alert runbook links', () => {
  const out = mkdtempSync(join(tmpdir(), 'apprentice-alerts-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const urls = (files: readonly string[]): string[] =>
    files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/runbook_url: (\S+)/g)].map((m) => m[1]!));

  it('are absolute links to a runbook that exists, on the configured base', async () => {
    const w = await writeAlertFiles(out, { runbookBaseUrl: 'https://wiki.example.com/ops/runbooks/' });
    const links = urls(w.rules);
    expect(links.length).toBeGreaterThanOrEqual(15);
    for (const link of links) {
      expect(link).toMatch(/^https:\/\/wiki\.example\.com\/ops\/runbooks\/Apprentice[A-Za-z]+\.md$/);
      expect(existsSync(join(root, 'docs', 'runbooks', basename(link))), link).toBe(true);
    }
    expect(w.runbookBaseUrl).toBe('https://wiki.example.com/ops/runbooks');
  });

  it('default to the repository docs (APPRENTICE_RUNBOOK_BASE_URL unset)', async () => {
    vi.stubEnv('APPRENTICE_RUNBOOK_BASE_URL', '');
    try {
      const w = await writeAlertFiles(join(out, 'default'));
      for (const link of urls(w.rules)) expect(link.startsWith(`${repositoryUrl()}/blob/main/docs/runbooks/`), link).toBe(true);
      expect(existsSync(w.prometheus)).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('turnkey monitoring files', () => {
  const yaml = (path: string): Record<string, unknown> => parse(readFileSync(join(root, 'monitoring', path), 'utf8')) as Record<string, unknown>;

  it('Grafana provisioning: a default Prometheus datasource and a provider for the dashboards', () => {
    const ds = (yaml('grafana/provisioning/datasources/prometheus.yml').datasources as { type: string; isDefault: boolean; url: string }[])[0]!;
    expect(ds).toMatchObject({ type: 'prometheus', isDefault: true });
    const provider = (yaml('grafana/provisioning/dashboards/apprentice.yml').providers as { type: string; options: { path: string } }[])[0]!;
    expect(provider).toMatchObject({ type: 'file' });
    expect(provider.options.path).toMatch(/APPRENTICE_DASHBOARDS_DIR/);
    // The dashboards select that datasource through their `datasource` variable of type prometheus.
    const dashboard = JSON.parse(readFileSync(join(root, 'monitoring/grafana/dashboards/ml-operations.json'), 'utf8')) as { templating: { list: { name: string; query: string }[] } };
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.query).toBe('prometheus');
  });

  it('the Prometheus config is valid, scrapes /metrics and loads the shipped rules (promtool check config)', () => {
    const config = yaml('prometheus/prometheus.yml') as { scrape_configs: { metrics_path: string }[]; rule_files: string[] };
    expect(config.scrape_configs[0]?.metrics_path).toBe('/metrics');
    expect(config.rule_files).toEqual(['rules/*.yml']);
    const report = execFileSync('promtool', ['check', 'config', join(root, 'monitoring/prometheus/prometheus.yml')], { encoding: 'utf8' });
    expect(report).toMatch(/SUCCESS: \d+ rule files found/);
  });
});
