/**
 * Shared pieces of the fault suite: the fault IDLs, servers that are closed
 * after each file, raw TCP peers that speak ping-pong frames by hand, and a
 * generic server in a child process whose memory can be sampled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import {
  jsonPbGeneric,
  jsonThriftGeneric,
  newGenericServer,
  protoFileProvider,
  thriftFileProvider,
  type GenericServer,
  type GenericServerOptions,
  type Handlers,
  RpcError,
} from '../../src/index.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  FrameDecoder,
  ServerRequestReader,
  type DecodedEnvelope,
  type PingPongTransport,
  type ServerRequest,
} from '../../src/ttheader/index.js';
import type { Generic } from '../../src/generic/method-codec.js';

export const FAULTS_THRIFT = fileURLToPath(new URL('../fixtures/faults/faults.thrift', import.meta.url));
export const FAULTS_PROTO = fileURLToPath(new URL('../fixtures/faults/faults.proto', import.meta.url));
const CHILD_SERVER = fileURLToPath(new URL('./child-server.mjs', import.meta.url));

let thrift: Promise<Generic<string, string>> | undefined;
let proto: Promise<Generic<string, string>> | undefined;

/** The JSON Thrift generic of faults.thrift. */
export function thriftGeneric(): Promise<Generic<string, string>> {
  return (thrift ??= thriftFileProvider(FAULTS_THRIFT).then((p) => jsonThriftGeneric(p)));
}

/** The JSON protobuf generic of faults.proto. */
export function protoGeneric(): Promise<Generic<string, string>> {
  return (proto ??= protoFileProvider(FAULTS_PROTO).then((p) => jsonPbGeneric(p)));
}

/** One mebibyte. */
export const MiB = 1024 * 1024;

/** The RpcError a call ends with (fails the test if it succeeds or throws anything else). */
export async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(RpcError);
  return e as RpcError;
}

const open: Array<{ close(): Promise<void> }> = [];

/** Starts a generic server on 127.0.0.1:0; {@link closeAll} stops it. */
export async function serve(
  generic: Generic<string, string>,
  handlers: Handlers<string, string>,
  options: GenericServerOptions = {},
): Promise<GenericServer<string, string>> {
  const s = newGenericServer(generic, handlers, options);
  await s.start();
  open.push(s);
  return s;
}

/** Registers anything with a close() for {@link closeAll}. */
export function track<T extends { close(): Promise<void> }>(x: T): T {
  open.push(x);
  return x;
}

/** Closes every server and client the file started. */
export async function closeAll(): Promise<void> {
  for (const x of open.splice(0).reverse()) await x.close();
}

/** One ping-pong request frame for FaultService.Echo (or another method), as a client would send it. */
export async function requestFrame(
  transport: PingPongTransport,
  json: string,
  seqId: number,
  extra: { method?: string; theaderTransforms?: number[] } = {},
): Promise<Uint8Array> {
  const g = await thriftGeneric();
  const method = extra.method ?? 'Echo';
  return encodeEnvelope({
    transport,
    payloadProtocol: 'thrift-binary',
    name: method,
    type: method === 'Fire' ? 4 : 1,
    seqId,
    body: g.method(method).encodeRequest(json),
    ...(transport.startsWith('ttheader') ? { intInfo: new Map([[1, transport === 'ttheader' ? 'framed' : 'unframed']]) } : {}),
    ...(extra.theaderTransforms ? { theaderTransforms: extra.theaderTransforms } : {}),
  });
}

/** A raw TCP connection to 127.0.0.1:port, destroyed by {@link closeAll}. */
export function connectRaw(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
    s.on('error', () => undefined);
    track({ close: async () => void s.destroy() });
  });
}

/** Replies read off a raw socket (length-prefixed transports), decoded as they arrive. */
export function replies(socket: net.Socket, maxFrameBytes = 64 << 20): DecodedEnvelope[] {
  const out: DecodedEnvelope[] = [];
  const d = new FrameDecoder({ kind: 'length-prefixed' }, maxFrameBytes);
  socket.on('data', (chunk: Buffer) => {
    for (const f of d.push(chunk)) out.push(decodeEnvelope(f, false, maxFrameBytes));
  });
  return out;
}

/**
 * A hostile ping-pong server: raw node:net, requests cut by the library's
 * reader (any transport), every reply scripted by the test.
 */
export async function rawPingPongServer(onRequest: (socket: net.Socket, req: ServerRequest) => void): Promise<{ port: number; hostPort: string; requests: ServerRequest[] }> {
  const sockets = new Set<net.Socket>();
  const requests: ServerRequest[] = [];
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    const reader = new ServerRequestReader(64 << 20);
    sock.on('data', (chunk: Buffer) => {
      for (const req of reader.push(chunk)) {
        requests.push(req);
        onRequest(sock, req);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  track({
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  });
  return { port, hostPort: `127.0.0.1:${port}`, requests };
}

/** Resolves true once the socket has closed, false if it is still open after `boundMs`. */
export function closedWithin(socket: net.Socket, boundMs: number): Promise<boolean> {
  if (socket.destroyed || socket.closed) return Promise.resolve(true);
  if (socket.listenerCount('data') === 0) socket.resume(); // a paused socket never reports the peer's close
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), boundMs);
    socket.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** Polls `cond` every 10 ms until it holds (true) or `boundMs` passed (false). */
export async function eventually(cond: () => boolean, boundMs: number): Promise<boolean> {
  const until = Date.now() + boundMs;
  while (!cond()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/**
 * Waits until `value()` has not changed for `quietMs` (a peer that stopped
 * making progress), or `boundMs` passed. Returns whether it went quiet.
 */
export async function quiescent(value: () => number | Promise<number>, quietMs: number, boundMs: number): Promise<boolean> {
  const until = Date.now() + boundMs;
  let last = await value();
  let since = Date.now();
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    const v = await value();
    if (v !== last) {
      last = v;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return true;
  }
  return false;
}

/** Memory figures a child server reports. */
export interface ChildMemory {
  rss: number;
  /** Highest RSS sampled (every 10 ms) since the last `resetPeak`. */
  peakRss: number;
  arrayBuffers: number;
  handled: number;
}

/** A generic server in its own process (built package), with its memory on request. */
export interface ChildServer {
  port: number;
  memory(): Promise<ChildMemory>;
  resetPeak(): Promise<ChildMemory>;
  /** Whether the process is still running. */
  readonly alive: boolean;
  readonly exitCode: number | null;
  close(): Promise<void>;
}

/**
 * Starts test/faults/child-server.mjs: a faults.thrift (or .proto) generic
 * server with the named handler behaviour and options, in a child process.
 */
export function startChildServer(kind: 'thrift' | 'proto', behaviour: string, options: GenericServerOptions = {}): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', CHILD_SERVER, kind === 'thrift' ? FAULTS_THRIFT : FAULTS_PROTO, kind, behaviour, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buf = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const l = lines.shift();
      if (l !== undefined) return resolve(l);
      const t = setTimeout(() => reject(new Error('child server did not answer')), 20_000);
      waiting.push((line) => {
        clearTimeout(t);
        resolve(line);
      });
    });
  const ask = async (cmd: string): Promise<ChildMemory> => {
    child.stdin!.write(`${cmd}\n`);
    return JSON.parse(await nextLine()) as ChildMemory;
  };
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const server: ChildServer = {
    port: 0,
    memory: () => ask('memory'),
    resetPeak: () => ask('reset'),
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    get exitCode() {
      return child.exitCode;
    },
    async close() {
      if (server.alive) {
        child.stdin!.end();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
  return nextLine().then((l) => {
    server.port = Number(l);
    return track(server);
  });
}
