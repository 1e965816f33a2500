import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';

const fail = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('needs nothing for the embedded default', () => {
    expect(loadConfig({ env: {} })).toMatchObject({ host: '127.0.0.1', port: 8080, mlEnabled: true, dataDir: './.apprentice' });
  });

  it('takes env over file, flags over env', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'apprentice.config.json');
    writeFileSync(file, JSON.stringify({ port: 9000, logLevel: 'warn' }));
    const c = loadConfig({ file, env: { APPRENTICE_PORT: '9100', ML_ENABLED: 'false' }, overrides: { logLevel: 'debug', host: undefined } });
    expect(c).toMatchObject({ port: 9100, logLevel: 'debug', mlEnabled: false, host: '127.0.0.1' });
  });

  it('keeps decisions in the Redis cache 900 s unless told otherwise, and refuses a TTL of 0', () => {
    expect(loadConfig({ env: {} }).decisionCacheTtlSeconds).toBe(900);
    expect(loadConfig({ env: { APPRENTICE_DECISION_CACHE_TTL_SECONDS: '120' } }).decisionCacheTtlSeconds).toBe(120);
    expect(fail(() => loadConfig({ env: { APPRENTICE_DECISION_CACHE_TTL_SECONDS: '0' } })).issues[0]!.path).toBe('decisionCacheTtlSeconds');
    expect(loadConfig({ env: { APPRENTICE_DECISION_CACHE_ENTRIES: '2000' } }).decisionCacheEntries).toBe(2000);
    expect(loadConfig({ env: {} }).decisionCacheEntries).toBeUndefined();
  });

  it('names each bad field and its rule', () => {
    const e = fail(() => loadConfig({ env: { DATABASE_URL: 'mysql://x', APPRENTICE_PORT: 'eighty', ML_ENABLED: 'maybe' } }));
    expect(e.issues.map((i) => i.path).sort()).toEqual(['APPRENTICE_PORT', 'ML_ENABLED', 'databaseUrl'].sort());
    expect(e.message).toMatch(/databaseUrl: must be a URL like postgres:/);
  });

  it('refuses unknown keys and unreadable files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    writeFileSync(file, '{"prot": 1}');
    expect(fail(() => loadConfig({ file, env: {} })).message).toMatch(/prot/);
    writeFileSync(file, '{nope');
    expect(fail(() => loadConfig({ file, env: {} })).issues[0]!.message).toMatch(/cannot be read as JSON/);
  });

  it('takes the learning throttle off or with its own thresholds, and refuses anything else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'c.json');
    expect(loadConfig({ env: {} }).learningThrottle).toBeUndefined();
    writeFileSync(file, '{"learningThrottle": false}');
    expect(loadConfig({ file, env: {} }).learningThrottle).toBe(false);
    writeFileSync(file, '{"learningThrottle": {"highDelayMs": 500, "lowDelayMs": 200}}');
    expect(loadConfig({ file, env: {} }).learningThrottle).toEqual({ highDelayMs: 500, lowDelayMs: 200 });
    writeFileSync(file, '{"learningThrottle": true}');
    expect(fail(() => loadConfig({ file, env: {} })).issues.map((i) => i.path)).toEqual(['learningThrottle']);
    writeFileSync(file, '{"learningThrottle": {"highElu": 2}}');
    expect(fail(() => loadConfig({ file, env: {} })).issues.map((i) => i.path)).toEqual(['learningThrottle.highElu']);
  });
});
