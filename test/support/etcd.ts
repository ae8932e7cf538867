/**
 * A throw-away etcd (Debian's etcd-server) for discovery tests: one member on loopback ports,
 * a temp data dir removed on stop, fast elections so short leases expire quickly, and an
 * `etcdctl` runner (Debian's etcd-client) pointed at it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';

/** A running etcd. */
export interface EtcdServer {
  /** Client address, `127.0.0.1:port`. */
  readonly endpoint: string;
  /** Runs `etcdctl --endpoints <endpoint> …args`; resolves to its stdout. */
  ctl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** A free loopback port (bound, then released: etcd needs its ports named up front). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts etcd and waits until it answers (bounded: 20 s). */
export async function startEtcd(): Promise<EtcdServer> {
  const dir = mkdtempSync(join(os.tmpdir(), 'idlcall-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc: ChildProcess = spawn(
    'etcd',
    [
      '--name', 't',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', `http://${endpoint}`,
      '--advertise-client-urls', `http://${endpoint}`,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `t=${peer}`,
      // Fast elections: the shortest lease etcd grants is 1.5 election timeouts.
      '--heartbeat-interval', '50',
      '--election-timeout', '500',
      '--log-level', 'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const ctl = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('etcdctl', ['--endpoints', endpoint, '--command-timeout', '5s', ...args], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 15_000 }, (err, stdout, errOut) => {
        if (err) reject(new Error(`etcdctl ${args.join(' ')}: ${errOut || err.message}`));
        else resolve(stdout);
      });
    });
  const stop = async (): Promise<void> => {
    proc.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`etcd exited at start:\n${stderr}`);
    }
    try {
      await ctl('endpoint', 'health');
      return { endpoint, ctl, stop };
    } catch (e) {
      if (Date.now() > until) {
        await stop();
        throw new Error(`etcd did not become healthy: ${(e as Error).message}\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
