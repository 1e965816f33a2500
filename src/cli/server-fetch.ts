import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';

/**
 * `fetch` for the server holding a data directory. When it serves HTTPS, its server file carries
 * its certificate (PEM), and the CLI trusts exactly that certificate: a self-signed one works
 * without NODE_EXTRA_CA_CERTS, and the name check may fail (the CLI calls 127.0.0.1 while the
 * certificate names the host) only for the very certificate pinned. Any other certificate gets
 * the normal checks against that one CA.
 *
 * undici (the library behind Node's fetch) is used because the global fetch takes no TLS
 * options; `Agent({ connect })` is its documented way to set them.
 */
export function serverFetch(cert: string | undefined): typeof fetch {
  if (cert === undefined) return fetch;
  let pinned: Buffer;
  try {
    pinned = new X509Certificate(cert).raw;
  } catch {
    return fetch; // not a certificate: the system's trust applies
  }
  const dispatcher = new Agent({
    connect: {
      ca: cert,
      checkServerIdentity: (host: string, peer: PeerCertificate) => (peer.raw.equals(pinned) ? undefined : checkServerIdentity(host, peer)),
    },
  });
  return ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher })) as unknown as typeof fetch;
}
