import net from 'node:net';

/**
 * A TCP proxy between the code under test and a real server, so a fault test can cut the
 * connection (simulating an outage) or freeze it (a hung server or network: connections stay
 * open, nothing moves) without stopping the shared service.
 */
export interface TcpProxy {
  readonly port: number;
  /** Refuse new connections and destroy open ones. */
  cut(): void;
  /**
   * Stop forwarding in both directions without closing anything: open connections hang, new
   * ones are accepted and hang too. Bytes sent meanwhile are held and delivered on `restore`.
   */
  freeze(): void;
  /** Accept and forward again (a frozen connection resumes where it stopped). */
  restore(): void;
  readonly state: 'up' | 'cut' | 'frozen';
  close(): Promise<void>;
}

interface Pair {
  readonly client: net.Socket;
  upstream: net.Socket | undefined;
  /** Bytes held while frozen, per direction. */
  readonly toUpstream: Buffer[];
  readonly toClient: Buffer[];
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let state: 'up' | 'cut' | 'frozen' = 'up';
  const pairs = new Set<Pair>();

  const drop = (p: Pair): void => {
    p.client.destroy();
    p.upstream?.destroy();
    pairs.delete(p);
  };
  const connectUpstream = (p: Pair): void => {
    const upstream = net.connect(targetPort, targetHost);
    p.upstream = upstream;
    upstream.setNoDelay(true);
    upstream.on('data', (chunk: Buffer) => (state === 'frozen' ? p.toClient.push(chunk) : p.client.write(chunk)));
    upstream.on('error', () => drop(p)).on('close', () => drop(p));
    for (const b of p.toUpstream.splice(0)) upstream.write(b);
  };
  const flush = (p: Pair): void => {
    if (!p.upstream) connectUpstream(p);
    for (const b of p.toUpstream.splice(0)) p.upstream?.write(b);
    for (const b of p.toClient.splice(0)) p.client.write(b);
  };

  const server = net.createServer((client) => {
    if (state === 'cut') {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const p: Pair = { client, upstream: undefined, toUpstream: [], toClient: [] };
    pairs.add(p);
    client.on('data', (chunk: Buffer) => (state === 'frozen' || !p.upstream ? p.toUpstream.push(chunk) : p.upstream.write(chunk)));
    client.on('error', () => drop(p)).on('close', () => drop(p));
    // A connection made while frozen hangs like the others: no upstream until restored.
    if (state === 'up') connectUpstream(p);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get state() {
      return state;
    },
    cut() {
      state = 'cut';
      for (const p of [...pairs]) drop(p);
    },
    freeze() {
      state = 'frozen';
    },
    restore() {
      const wasFrozen = state === 'frozen';
      state = 'up';
      if (wasFrozen) for (const p of pairs) flush(p);
    },
    close: () =>
      new Promise<void>((resolve) => {
        state = 'cut';
        for (const p of [...pairs]) drop(p);
        server.close(() => resolve());
      }),
  };
}
