import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { defaultDashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

// Issue 19, turnkey monitoring: what Grafana loads from this repository — the provisioning files
// (a datasource and a dashboard provider) and the dashboard JSON the provider reads — checked for
// the structure Grafana expects, and wired together the way deploy/compose.yaml mounts them. No
// Grafana runs here; a test with a real Grafana would need Docker or a Grafana install.

const root = join(import.meta.dirname, '..', '..');
const provisioning = join(root, 'monitoring/grafana/provisioning');
const dashboardsDir = join(root, 'monitoring/grafana/dashboards');

/** `${NAME:-default}` / `$NAME` as Grafana expands them in provisioning files. */
const envRefs = (text: string): string[] => [...text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!);
const withDefault = (value: string): string => value.replace(/\$\{[A-Z_][A-Z0-9_]*:-([^}]*)\}/g, '$1');

// Grafana's provisioning formats (docs: administration/provisioning), the fields it reads.
const DatasourceFile = z
  .object({
    apiVersion: z.literal(1),
    datasources: z
      .array(
        z
          .object({
            name: z.string().min(1),
            uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
            type: z.string().min(1),
            access: z.enum(['proxy', 'direct']),
            url: z.string().min(1),
            isDefault: z.boolean(),
            editable: z.boolean().optional(),
            jsonData: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
const ProviderFile = z
  .object({
    apiVersion: z.literal(1),
    providers: z
      .array(
        z
          .object({
            name: z.string().min(1),
            folder: z.string().optional(),
            type: z.literal('file'),
            disableDeletion: z.boolean().optional(),
            allowUiUpdates: z.boolean().optional(),
            updateIntervalSeconds: z.number().int().positive().optional(),
            options: z.object({ path: z.string().min(1), foldersFromFilesStructure: z.boolean().optional() }).strict(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

// The panel plugins the Grafana foundation SDK builds (a folder with a panel builder per plugin).
const sdkDist = join(dirname(createRequire(import.meta.url).resolve('@grafana/grafana-foundation-sdk/dashboard')), '..');
const PANEL_TYPES = readdirSync(sdkDist).filter((d) => existsSync(join(sdkDist, d, 'panelBuilder.gen.js')));

const DatasourceRef = z.object({ type: z.literal('prometheus'), uid: z.literal('${datasource}') }).strict();
const GridPos = z
  .object({ x: z.number().int().min(0), y: z.number().int().min(0), w: z.number().int().min(1).max(24), h: z.number().int().min(1) })
  .strict()
  .refine((g) => g.x + g.w <= 24, 'panel wider than the 24-column grid');
const Target = z.object({ refId: z.string().regex(/^[A-Z]+$/), expr: z.string().min(1), datasource: DatasourceRef }).passthrough();
const Panel = z
  .object({
    type: z.string().refine((t) => PANEL_TYPES.includes(t), 'not a panel plugin of the Grafana foundation SDK'),
    title: z.string().min(1),
    datasource: DatasourceRef,
    gridPos: GridPos,
    targets: z.array(Target).min(1),
  })
  .passthrough()
  .refine((p) => new Set(p.targets.map((t) => t.refId)).size === p.targets.length, 'duplicate refId in a panel');
const Variable = z.object({ name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), type: z.enum(['datasource', 'query', 'custom', 'interval', 'constant', 'textbox', 'adhoc']) }).passthrough();
const Dashboard = z
  .object({
    uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/, 'Grafana uids are at most 40 characters of [a-zA-Z0-9_-]'),
    title: z.string().min(1),
    schemaVersion: z.number().int().min(defaultDashboard().schemaVersion!),
    time: z.object({ from: z.string().min(1), to: z.string().min(1) }).passthrough(),
    templating: z.object({ list: z.array(Variable) }).passthrough(),
    panels: z.array(Panel).min(1),
  })
  .passthrough();

const compose = parse(readFileSync(join(root, 'deploy/compose.yaml'), 'utf8')) as {
  services: { grafana: { environment: Record<string, string>; volumes: string[] } };
};
/** Where compose mounts a repository folder inside the Grafana container. */
const mountOf = (repoPath: string): string | undefined =>
  compose.services.grafana.volumes
    .map((v) => v.split(':'))
    .find(([from]) => resolve(join(root, 'deploy'), from!) === join(root, repoPath))?.[1];

describe('Grafana provisioning and dashboards, as Grafana loads them', () => {
  it('the datasource and provider files have the provisioning structure', () => {
    const ds = DatasourceFile.parse(parse(readFileSync(join(provisioning, 'datasources/prometheus.yml'), 'utf8')));
    expect(ds.datasources.filter((d) => d.isDefault)).toHaveLength(1);
    expect(ds.datasources[0]).toMatchObject({ type: 'prometheus', access: 'proxy' });
    expect(new URL(withDefault(ds.datasources[0]!.url)).protocol).toBe('http:');
    const providers = ProviderFile.parse(parse(readFileSync(join(provisioning, 'dashboards/apprentice.yml'), 'utf8')));
    expect(providers.providers).toHaveLength(1);
    // Every file under provisioning/ is one of the two checked here (nothing unvalidated ships).
    const files = readdirSync(provisioning, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(provisioning.length + 1));
    expect(files.sort()).toEqual(['dashboards/apprentice.yml', 'datasources/prometheus.yml']);
  });

  it('the checks refuse a broken file (they can fail)', () => {
    const good = parse(readFileSync(join(provisioning, 'dashboards/apprentice.yml'), 'utf8')) as { providers: Record<string, unknown>[] };
    expect(ProviderFile.safeParse({ ...good, apiVersion: 2 }).success).toBe(false);
    expect(ProviderFile.safeParse({ ...good, providers: [{ ...good.providers[0], type: 'files' }] }).success).toBe(false);
    const dashboard = JSON.parse(readFileSync(join(dashboardsDir, 'ml-operations.json'), 'utf8')) as { panels: Record<string, unknown>[]; uid: string };
    expect(Dashboard.safeParse(dashboard).success).toBe(true);
    expect(Dashboard.safeParse({ ...dashboard, uid: 'x'.repeat(41) }).success).toBe(false);
    expect(Dashboard.safeParse({ ...dashboard, panels: [{ ...dashboard.panels[0], type: 'graphh' }] }).success).toBe(false);
    expect(Dashboard.safeParse({ ...dashboard, panels: [{ ...dashboard.panels[0], gridPos: { x: 20, y: 0, w: 8, h: 4 } }] }).success).toBe(false);
  });

  it('every dashboard JSON the provider loads has the dashboard model structure, with its variables defined', () => {
    const files = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(6);
    const uids = new Set<string>();
    for (const f of files) {
      const d = Dashboard.parse(JSON.parse(readFileSync(join(dashboardsDir, f), 'utf8')));
      uids.add(d.uid);
      const vars = new Set(d.templating.list.map((v) => v.name));
      expect(vars.has('datasource'), f).toBe(true);
      expect(d.templating.list.find((v) => v.name === 'datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
      // Every $variable a query uses is defined (Grafana's built-ins aside).
      const used = d.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\$(?:\{)?([a-zA-Z_][a-zA-Z0-9_]*)/g)].map((m) => m[1]!)));
      expect(used.filter((v) => !vars.has(v) && !v.startsWith('__')), f).toEqual([]);
    }
    expect(uids.size).toBe(files.length);
  });

  it('deploy/compose.yaml mounts them where the provisioning files point Grafana', () => {
    const env = compose.services.grafana.environment;
    expect(mountOf('monitoring/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    // The provider reads APPRENTICE_DASHBOARDS_DIR; compose sets it to where the dashboards are mounted.
    const providerText = readFileSync(join(provisioning, 'dashboards/apprentice.yml'), 'utf8');
    expect(envRefs(providerText)).toContain('APPRENTICE_DASHBOARDS_DIR');
    expect(env.APPRENTICE_DASHBOARDS_DIR).toBe(mountOf('monitoring/grafana/dashboards'));
    // Every variable the provisioning files read is set by compose (or has a default).
    for (const file of ['datasources/prometheus.yml', 'dashboards/apprentice.yml']) {
      const text = readFileSync(join(provisioning, file), 'utf8');
      for (const name of envRefs(text)) expect(env[name] ?? (new RegExp(`\\$\\{${name}:-[^}]+\\}`).test(text) ? 'default' : undefined), `${file}: ${name}`).toBeDefined();
    }
    expect(new URL(env.PROMETHEUS_URL!).hostname).toBe('prometheus');
  });
});
