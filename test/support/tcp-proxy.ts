/**
 * A counting TCP forwarder on loopback, for tests that must see connections come and go (an
 * instance's address in front of a server listening elsewhere).
 */
import net from 'node:net';

/** A running forwarder. */
export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  close(): Promise<void>;
}

/** Forwards `host:port` (port 0 picks one) to `target` (`host:port`). */
export async function startProxy(host: string, port: number, target: string): Promise<TcpProxy> {
  const i = target.lastIndexOf(':');
  const [th, tp] = [target.slice(0, i), Number(target.slice(i + 1))];
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(tp, th);
    sockets.add(client).add(upstream);
    const done = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    host,
    port: (server.address() as net.AddressInfo).port,
    get accepted() {
      return accepted;
    },
    get open() {
      return [...sockets].length / 2;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
