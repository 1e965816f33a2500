import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildCli } from '../../src/cli/program.js';
import { loadConfig } from '../../src/core/config.js';

// No Docker engine runs here, so the deployment files are checked for what can be checked: they
// parse, and every command, option, environment variable, port and path they name exists.
const root = join(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8');
const compose = parse(readFileSync(join(root, 'deploy', 'compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; ports?: string[]; build?: unknown; image?: string; volumes?: string[] }>;
};
const configSource = readFileSync(join(root, 'src', 'core', 'config.ts'), 'utf8');

const commandNamed = (name: string): Command | undefined => buildCli().commands.find((c) => c.name() === name);
const apprenticeServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

describe('deploy/Dockerfile', () => {
  it('builds in stages and runs as a non-root user with a healthcheck on /health', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health/);
  });

  it('copies only paths that exist, and starts the executable package.json names', () => {
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) for (const src of m[1]!.split(/\s+/)) expect(existsSync(join(root, src)), src).toBe(true);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(dockerfile).toContain(`ENTRYPOINT ["node", "${pkg.bin.apprentice}"]`);
    expect(commandNamed(/CMD \["(\w+)"\]/.exec(dockerfile)![1]!)).toBeDefined();
  });

  it('sets only configuration variables the config knows, and exposes the port it configures', () => {
    const env = Object.fromEntries([...dockerfile.matchAll(/(APPRENTICE_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
    for (const k of Object.keys(env)) expect(configSource, k).toContain(`${k}:`);
    const config = loadConfig({ env, file: undefined });
    expect(dockerfile).toContain(`EXPOSE ${config.port}`);
    expect(config.host).toBe('0.0.0.0');
  });
});

describe('deploy/compose.yaml', () => {
  it('runs two API instances and a worker beside PostgreSQL, Redis, Prometheus, Alertmanager and Grafana', () => {
    const roles = apprenticeServices.map(([, s]) => (s.command?.[0] === 'serve' ? s.command[s.command.indexOf('--role') + 1] : s.command?.[0]));
    expect(roles.filter((r) => r === 'api')).toHaveLength(2);
    expect(roles.filter((r) => r === 'worker')).toHaveLength(1);
    // Every apprentice service is scraped (the worker's /metrics carries training, controller and drift).
    const prometheus = parse(readFileSync(join(root, 'deploy', 'prometheus.yml'), 'utf8')) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((x) => x.targets));
    for (const [name, s] of apprenticeServices) expect(targets, name).toContain(`${name}:${s.environment?.APPRENTICE_PORT ?? '8080'}`);
    for (const name of ['postgres', 'redis', 'prometheus', 'alertmanager', 'grafana']) expect(compose.services[name], name).toBeDefined();
  });

  it('every apprentice command and option exists in the CLI', () => {
    expect(apprenticeServices.length).toBeGreaterThanOrEqual(3);
    for (const [name, s] of apprenticeServices) {
      const [cmd, ...args] = s.command ?? [];
      const c = commandNamed(cmd!);
      expect(c, `${name}: ${cmd}`).toBeDefined();
      const flags = new Set(c!.options.flatMap((o) => [o.long, o.short].filter(Boolean)));
      for (const a of args.filter((x) => x.startsWith('-'))) expect(flags.has(a), `${name}: ${cmd} ${a}`).toBe(true);
      // An option with fixed choices (--role) is given one of them.
      for (const [i, a] of args.entries()) {
        const choices = c!.options.find((o) => o.long === a)?.argChoices;
        if (choices) expect(choices, `${name}: ${cmd} ${a} ${args[i + 1]}`).toContain(args[i + 1]);
      }
    }
  });

  it('every environment variable is one the config reads, and the values validate', () => {
    for (const [name, s] of apprenticeServices) {
      const env = s.environment ?? {};
      for (const k of Object.keys(env)) expect(configSource, `${name}: ${k}`).toContain(`${k}:`);
      const config = loadConfig({ env, file: undefined });
      expect(config.databaseUrl).toBe(env.DATABASE_URL);
      expect(config.artifactStore).toBe('postgres');
      for (const p of s.ports ?? []) expect(p.split(':')[1], `${name} port`).toBe(String(config.port));
    }
  });

  it('mounts monitoring files that exist, and its Prometheus and Alertmanager files pass promtool and amtool', () => {
    for (const s of Object.values(compose.services))
      for (const v of s.volumes ?? []) {
        const host = v.split(':')[0]!;
        if (host.startsWith('.')) expect(existsSync(join(root, 'deploy', host)), host).toBe(true);
      }
    const prom = spawnSync('promtool', ['check', 'config', '--syntax-only', join(root, 'deploy', 'prometheus.yml')], { encoding: 'utf8' });
    expect(prom.status, prom.stderr + prom.stdout).toBe(0);
    const am = spawnSync('amtool', ['check-config', join(root, 'deploy', 'alertmanager.yml')], { encoding: 'utf8' });
    expect(am.status, am.stderr + am.stdout).toBe(0);
  });
});
