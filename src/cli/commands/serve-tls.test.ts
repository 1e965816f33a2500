import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServe } from './serve.js';

type Built = Awaited<ReturnType<typeof buildServe>>;

/** GET over HTTPS trusting `ca` (or the system roots when undefined). */
const getHttps = (url: string, ca: Buffer | undefined): Promise<{ status: number; body: string; protocol: string }> =>
  new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ...(ca ? { ca } : {}), timeout: 10_000 }, (res) => {
      let body = '';
      // Read while the socket is attached (it is released at the end of the response).
      const protocol = (res.socket as { getProtocol?: () => string | null }).getProtocol?.() ?? '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, protocol }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });

/** Plain HTTP to the same port: the TLS server cannot answer it. */
const getHttp = (url: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });

// HTTPS with --tls-cert/--tls-key, against a self-signed certificate openssl makes for this test.
describe('serve --tls-cert/--tls-key', () => {
  let dir: string;
  let cert: string;
  let key: string;
  let built: Built | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'apprentice-tls-'));
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  });
  afterAll(async () => {
    if (built) {
      await built.app.close();
      await built.platform.stop();
      await built.a.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  // Embedded storage starts slowly on a loaded 2-core host (as in openapi.test.ts).
  it('serves HTTPS with the certificate, and nothing over plain HTTP', { timeout: 180_000 }, async () => {
    const config = join(dir, 'apprentice.config.json');
    writeFileSync(config, JSON.stringify({ logLevel: 'silent', learningThrottle: false }));
    built = await buildServe({ config, dataDir: join(dir, 'data'), tlsCert: cert, tlsKey: key, port: '0', controller: false });
    const address = await built.app.listen({ host: '127.0.0.1', port: 0 });
    expect(address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    const ok = await getHttps(`${address}/health`, readFileSync(cert));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ status: 'ok' });
    expect(ok.protocol).toMatch(/^TLSv1\.[23]$/);

    // A client that does not trust this self-signed certificate is refused by its TLS check.
    await expect(getHttps(`${address}/health`, undefined)).rejects.toThrow(/self[- ]signed/i);
    // Plain HTTP on the HTTPS port gets no HTTP answer.
    const plain = await getHttp(address.replace('https://', 'http://')).catch((e: Error) => e);
    expect(plain instanceof Error || plain === 400, String(plain)).toBe(true);
  });

  it('refuses a certificate without its key, and a key file it cannot read', async () => {
    await expect(buildServe({ dataDir: join(dir, 'x'), tlsCert: cert })).rejects.toThrow(/HTTPS needs a certificate and its key/);
    await expect(buildServe({ dataDir: join(dir, 'y'), tlsCert: cert, tlsKey: join(dir, 'missing.pem') })).rejects.toThrow(/cannot read tlsKey/);
  });
});
