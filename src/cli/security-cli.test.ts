import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { securityCommands } from './commands/security.js';

describe('security CLI (tokens, keys, erase, retention, export, audit, lineage)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-seccli-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const run = async (...args: string[]): Promise<string> => {
    const program = new Command('apprentice').exitOverride();
    for (const c of securityCommands()) program.addCommand(c);
    let out = '';
    const spy = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync([...args, '--data-dir', dir], { from: 'user' });
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
    return out;
  };

  it('creates the first admin token, lists and revokes it, audits both; rotates keys; erases; audits', async () => {
    const created = JSON.parse(
      await run('tokens', 'create', '--name', 'root', '--role', 'admin', '--json', '--actor', 'ops'),
    ) as { id: string; token: string };
    expect(created.token).toMatch(/^apr_[0-9A-Za-z]{43}$/);
    const list = await run('tokens', 'list', '--json');
    expect(list).toContain('root');
    expect(list).not.toContain(created.token);
    expect(JSON.parse(await run('tokens', 'revoke', created.id, '--json', '--reason', 'test'))).toEqual({
      id: created.id,
      revoked: true,
    });
    const rot = JSON.parse(await run('keys', 'rotate', '--reencrypt', '--json')) as {
      before: string;
      after: string;
    };
    expect(rot.after).not.toBe(rot.before);
    const keyFile = join(dir, 'keys', 'master.json');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect((JSON.parse(readFileSync(keyFile, 'utf8')) as { active: string }).active).toBe(rot.after);
    const erased = JSON.parse(await run('erase', '--subject', 'user-9', '--json')) as { subjectRef: string };
    expect(erased.subjectRef).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(await run('retention', '--older-than-days', '30', '--json'))).toMatchObject({
      purged: 0,
    });
    const audit = JSON.parse(await run('audit', '--json')) as { type: string; actor: string }[];
    expect(audit.map((e) => e.type)).toEqual([
      'TokenCreated',
      'TokenRevoked',
      'KeyRotated',
      'SubjectErased',
      'RetentionApplied',
    ]);
    expect(audit[0]!.actor).toBe('ops');
    expect(JSON.stringify(audit)).not.toContain(created.token);
    expect(JSON.stringify(audit)).not.toContain('user-9');
    const onlyTokens = JSON.parse(await run('audit', '--type', 'TokenRevoked', '--json')) as unknown[];
    expect(onlyTokens).toHaveLength(1);
    expect(await run('export', '--agent', 'code-reviewer', '--k', '5', '--quasi', 'team')).toBe('');
  });

  it('refuses bad input with a clear error naming the field', async () => {
    await expect(run('tokens', 'create', '--name', 'x y', '--role', 'root')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'name' }, { path: 'role' }],
    });
    await expect(run('lineage', 'code-reviewer', '3')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(run('lineage', 'code-reviewer', 'x')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
