import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { PYTHON } from './oracles.js';

/** A running python test peer. */
export interface PythonPeer {
  /** The port the peer printed as the first token of its first stdout line. */
  port: number;
  /** That whole first line (peers may print more than one port). */
  line: string;
  process: ChildProcess;
  /** Closes the peer's stdin (its signal to exit), then kills it if it lingers; resolves when it is gone. */
  stop(): Promise<void>;
}

/** Options for {@link startPythonPeer}. */
export interface PythonPeerOptions {
  /** Interpreter (default Debian's python3, where python3-grpcio and python3-thrift live). */
  python?: string;
  /** How long to wait for the port line (default 20 s). */
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a python peer script that prints its listening port on the first line of
 * stdout and exits when its stdin closes. Rejects (with the script's stderr) if it exits
 * or stays silent for too long. Remember to `await peer.stop()` in afterAll.
 */
export function startPythonPeer(scriptPath: string, args: string[] = [], opts: PythonPeerOptions = {}): Promise<PythonPeer> {
  const proc = spawn(opts.python ?? PYTHON, ['-u', scriptPath, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: opts.env ?? process.env,
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => {
    if (stderr.length < 20_000) stderr += d;
  });
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else {
      proc.once('exit', () => resolve());
      // A process that could not be spawned never exits.
      proc.once('error', () => resolve());
    }
  });
  const stop = async (): Promise<void> => {
    proc.stdin!.end();
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
    proc.stdout!.destroy();
    proc.stderr!.destroy();
  };
  return new Promise<PythonPeer>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      fail(new Error(`python peer ${scriptPath} printed no port within ${opts.startTimeoutMs ?? 20_000} ms; stderr:\n${stderr}`));
    }, opts.startTimeoutMs ?? 20_000);
    const onData = (d: string): void => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      const line = out.slice(0, nl).trim();
      const port = Number(line.split(/\s+/)[0]);
      cleanup();
      if (!Number.isInteger(port) || port <= 0) {
        void stop();
        reject(new Error(`python peer ${scriptPath} printed "${line}" instead of a port; stderr:\n${stderr}`));
        return;
      }
      // Keep draining stdout so the peer never blocks on a full pipe.
      proc.stdout!.resume();
      resolve({ port, line, process: proc, stop });
    };
    const onExit = (code: number | null): void => fail(new Error(`python peer ${scriptPath} exited (${code}) before printing a port; stderr:\n${stderr}`));
    const fail = (e: Error): void => {
      cleanup();
      void stop().then(() => reject(e));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      proc.off('exit', onExit);
    };
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', onData);
    proc.once('exit', onExit);
    proc.once('error', (e) => fail(e));
  });
}
