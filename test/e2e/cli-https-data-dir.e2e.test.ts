import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_FILE } from '../../src/cli/server-file.js';
import { runCli, startCli, type RunningServer } from '../support/cli-process.js';

/**
 * Issue 14: the CLI finds an HTTPS `serve` through the data directory and trusts its
 * certificate, self-signed and naming another host (the CLI calls 127.0.0.1), because the
 * server's file pins exactly that certificate. Another certificate is still refused.
 */
describe('the CLI through an HTTPS server found by its data directory', () => {
  let dir: string;
  let dataDir: string;
  let server: RunningServer | undefined;
  const env = (): NodeJS.ProcessEnv => ({ APPRENTICE_DATA_DIR: dataDir, APPRENTICE_LOG_LEVEL: 'silent' });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-cli-https-'));
    dataDir = join(dir, 'data');
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    // Self-signed, for a name that is not the address the CLI calls.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=apprentice.internal', '-addext', 'subjectAltName=DNS:apprentice.internal'], { stdio: 'ignore' });
    server = await startCli(['serve', '--port', '0', '--no-controller', '--tls-cert', cert, '--tls-key', key], env(), /listening on (https:\/\/[^\s]+)/, undefined, 180_000);
  }, 240_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads state with no URL, token or CA given; a file pinning another certificate is refused', { timeout: 120_000 }, async () => {
    expect(server!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const file = join(dataDir, SERVER_FILE);
    const pinned = JSON.parse(readFileSync(file, 'utf8')) as { cert?: string; url: string };
    expect(pinned.url).toBe(server!.url);
    expect(pinned.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const status = await runCli(['status', '--json'], env());
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ server: server!.url, store: 'pglite' });

    const flags = await runCli(['flags', 'get', '--json'], env());
    expect(flags.code, flags.stderr).toBe(0);

    // The same file pinning a different certificate: the TLS check refuses the server.
    const other = join(dir, 'other.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'other.key'), '-out', other, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), cert: readFileSync(other, 'utf8') }));
    const refused = await runCli(['flags', 'get', '--json'], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot reach apprentice at https:\/\/127\.0\.0\.1/);
  });
});
