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
  /** Kills etcd and starts it again on the same ports and data (a crash and a restart). */
  restart(): Promise<void>;
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
  let stderr = '';
  const launch = (): { proc: ChildProcess; exited: Promise<void> } => {
    const proc = spawn(
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
    proc.stderr!.setEncoding('utf8');
    proc.stderr!.on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    return { proc, exited: new Promise<void>((r) => proc.once('exit', () => r())) };
  };
  let current = launch();
  const ctl = (...args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile('etcdctl', ['--endpoints', endpoint, '--command-timeout', '5s', ...args], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 15_000 }, (err, stdout, errOut) => {
        if (err) reject(new Error(`etcdctl ${args.join(' ')}: ${errOut || err.message}`));
        else resolve(stdout);
      });
    });
  const kill = async (): Promise<void> => {
    current.proc.kill('SIGKILL');
    await current.exited;
  };
  const stop = async (): Promise<void> => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  /** Waits (bounded: 20 s) until etcd answers. */
  const healthy = async (): Promise<void> => {
    const until = Date.now() + 20_000;
    for (;;) {
      if (current.proc.exitCode !== null) throw new Error(`etcd exited at start:\n${stderr}`);
      try {
        await ctl('endpoint', 'health');
        return;
      } catch (e) {
        if (Date.now() > until) throw new Error(`etcd did not become healthy: ${(e as Error).message}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  try {
    await healthy();
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    endpoint,
    ctl,
    stop,
    async restart() {
      await kill();
      current = launch();
      await healthy();
    },
  };
}
