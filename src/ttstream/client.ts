/**
 * The TTHeader Streaming client: opens streams on multiplexed connections,
 * a few per address (Kitex's mux pool keeps GOMAXPROCS; one Node thread is
 * well served by one), round robin over the addresses or pinned to one.
 * Bytes only: the caller encodes the bare request structs and decodes the
 * bare responses.
 */
import { Code, RpcError } from '../errors/index.js';
import type { ConnectListener } from '../net/connection-info.js';
import { StrInfoKey, putMetainfo, unavailable } from '../frame/index.js';
import { ClientConnection, type ConnectionOwner } from './client-connection.js';
import { ClientStream, type StreamHost, type StreamStart } from './client-stream.js';
import { FrameType, encodeHead, framePrefix } from './frame.js';

/** Options of {@link TTStreamClient}. */
export interface TTStreamClientOptions {
  /**
   * `host:port` targets (`[::1]:8888` for IPv6); streams that name no `hostPort` go round robin,
   * skipping unreachable ones. May be empty when every stream names one.
   */
  hostPorts: string[];
  /** Connections per address that streams are spread over (default 1). */
  connectionsPerHost?: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /** A connection without streams is closed after this long (default 60000, as Kitex's mux pool; 0 keeps it). */
  idleTimeoutMs?: number;
  /** Largest message accepted (default 4 MiB); a larger one fails its stream with RESOURCE_EXHAUSTED. */
  maxReceiveMessageBytes?: number;
  /** Largest message sent (default unlimited). */
  maxSendMessageBytes?: number;
  /**
   * Send Kitex's Rst frame when a stream is cancelled, times out or fails
   * locally (default true), so that a Kitex ≥ 0.15 server (or ours) stops its
   * handler. Kitex v0.14 servers do not know the frame and close the whole
   * connection on it: set false for them (a Trailer is then sent alone).
   */
  reset?: boolean;
  /** Our service name, sent as the cancel path of Rst frames. */
  fromService?: string;
  /** Told about each connection once it is open (resolved address, ports). */
  onConnect?: ConnectListener;
  /**
   * Told what becomes of connections to each address: `ready` (a connection opened), `failed`
   * (opening one failed) or `closed` (the address's last open connection closed). Balancers use
   * it for connection state and outlier ejection. It must not throw.
   */
  onConnectionState?: (hostPort: string, state: 'ready' | 'failed' | 'closed') => void;
}

/** One stream to open. */
export interface TTStreamCallOptions {
  method: string;
  /** The IDL service name (string info `isn`), which Kitex servers route on. */
  service: string;
  /** Transient metainfo: `RPC_TRANSIT_<key>` in the Header frame. */
  metadata?: Record<string, string>;
  /** Persistent metainfo: `RPC_PERSIST_<key>`. */
  persistentMetadata?: Record<string, string>;
  /** Deadline for the whole stream, enforced locally (ttstream carries no timeout). */
  timeoutMs?: number;
  /** Aborting cancels the stream (CANCELLED). */
  signal?: AbortSignal;
  /** Opens the stream on this address (which need not be among `hostPorts`). */
  hostPort?: string;
  /**
   * With `hostPort`: asked for another address when the stream could not get a connection to
   * its own (refused, timed out) before anything was sent, given every address tried so far;
   * undefined gives up. Without it, an unreachable `hostPort` fails the stream.
   */
  nextHostPort?: (tried: ReadonlySet<string>) => string | undefined;
}

/** How long an address whose connection failed is passed over while others remain. */
const DOWN_BACKOFF_MS = 1000;
const DEFAULT_MAX_RECEIVE = 4 * 1024 * 1024;
/** How long close() lets open streams run before cancelling them. */
const DEFAULT_CLOSE_GRACE_MS = 5000;
/** Room for a frame's header beyond its payload: the TTHeader meta and the largest header. */
const MAX_HEADER_BYTES = 14 + 0xffff * 4;

/** One address and its connections. */
class Target {
  readonly conns: Array<ClientConnection | undefined>;
  cursor = 0;
  downUntil = 0;

  constructor(
    readonly hostPort: string,
    readonly host: string,
    readonly port: number,
    size: number,
    /** Named in `hostPorts` (otherwise made for a pinned stream, and forgotten with its last connection). */
    readonly configured: boolean,
  ) {
    this.conns = new Array<ClientConnection | undefined>(size).fill(undefined);
  }

  get connectionCount(): number {
    let n = 0;
    for (const c of this.conns) if (c !== undefined) n++;
    return n;
  }
}

/** Parses `host:port` / `[v6]:port`. */
function parseHostPort(hp: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(hp) ?? /^([^:]+):(\d+)$/.exec(hp);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new RpcError(Code.INVALID_ARGUMENT, `invalid host:port '${hp}'`);
  return { host: m[1]!, port };
}

/** Bound on the starts kept per service and on the services (names may come from callers). */
const MAX_PLAIN_STARTS = 1024;

/** TTHeader Streaming client (see the module comment). */
export class TTStreamClient implements StreamHost, ConnectionOwner {
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly reset: boolean;
  readonly fromService: string;
  readonly onConnect: ConnectListener | undefined;
  private readonly onConnectionState: TTStreamClientOptions['onConnectionState'];
  private readonly size: number;
  private readonly targets = new Map<string, Target>();
  /** Starts of streams without metainfo, by service and method: the same bytes every time. */
  private readonly plainStarts = new Map<string, Map<string, StreamStart>>();
  /** Connections of addresses let go (closeAddress), closing once their streams are done. */
  private readonly letGo = new Set<ClientConnection>();
  private readonly order: Target[];
  private next = 0;
  private closing = false;
  private closeWaiters: Array<() => void> = [];

  constructor(opts: TTStreamClientOptions) {
    this.size = Math.max(1, opts.connectionsPerHost ?? 1);
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.maxReceiveMessageBytes = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE;
    this.maxSendMessageBytes = opts.maxSendMessageBytes ?? Infinity;
    this.maxFrameBytes = this.maxReceiveMessageBytes + MAX_HEADER_BYTES;
    this.reset = opts.reset ?? false;
    this.fromService = opts.fromService ?? '';
    this.onConnect = opts.onConnect;
    this.onConnectionState = opts.onConnectionState;
    this.order = (opts.hostPorts ?? []).map((hp) => this.target(hp, true));
  }

  /** Opens a stream; its Header frame goes out as soon as a connection is there. */
  call(opts: TTStreamCallOptions): ClientStream {
    return new ClientStream(this, this.startOf(opts), opts, opts.timeoutMs, opts.signal);
  }

  /** The stream's Header frame and prefix: made once per method and service for streams without metainfo. */
  private startOf(opts: TTStreamCallOptions): StreamStart {
    const plain = !hasEntries(opts.metadata) && !hasEntries(opts.persistentMetadata);
    if (!plain) return { method: opts.method, prefix: framePrefix(opts.method), headerFrame: headerFrame(opts) };
    let byMethod = this.plainStarts.get(opts.service);
    if (byMethod === undefined) {
      if (this.plainStarts.size >= MAX_PLAIN_STARTS) this.plainStarts.clear();
      byMethod = new Map();
      this.plainStarts.set(opts.service, byMethod);
    }
    let start = byMethod.get(opts.method);
    if (start === undefined) {
      start = { method: opts.method, prefix: framePrefix(opts.method), headerFrame: headerFrame(opts) };
      if (byMethod.size >= MAX_PLAIN_STARTS) byMethod.clear();
      byMethod.set(opts.method, start);
    }
    return start;
  }

  /**
   * Lets go of an address (an instance that left): its connections close once their streams
   * are done; new streams to it open new ones. Forgotten unless it is a configured hostPort.
   */
  closeAddress(hostPort: string): void {
    const t = this.targets.get(hostPort);
    if (t === undefined || t.configured) return;
    this.targets.delete(hostPort);
    for (const c of t.conns) {
      if (c === undefined) continue;
      this.letGo.add(c);
      c.drain();
    }
  }

  /** Open connections (for tests and diagnostics). */
  get connectionCount(): number {
    let n = this.letGo.size;
    for (const t of this.targets.values()) n += t.connectionCount;
    return n;
  }

  /** Bytes received and not yet read, over all connections (for tests and diagnostics). */
  get bufferedBytes(): number {
    let n = 0;
    for (const t of this.targets.values()) for (const c of t.conns) n += c?.bufferedBytes ?? 0;
    return n;
  }

  /**
   * Lets open streams finish, then closes every connection; streams still open
   * after `graceMs` (default 5 s) are cancelled. New streams fail UNAVAILABLE.
   * Always resolves.
   */
  close(graceMs = DEFAULT_CLOSE_GRACE_MS): Promise<void> {
    this.closing = true;
    for (const t of this.targets.values()) for (const c of t.conns) c?.drain();
    for (const c of this.letGo) c.drain();
    if (this.connectionCount === 0) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    const timer = setTimeout(() => {
      for (const t of this.targets.values()) for (const c of t.conns) c?.cancelAll('the client is closed');
      for (const c of this.letGo) c.cancelAll('the client is closed');
    }, graceMs);
    timer.unref();
    return closed.finally(() => clearTimeout(timer));
  }

  // --- StreamHost ---

  /** @internal */
  acquire(stream: ClientStream, lastError?: RpcError): void {
    if (this.closing) {
      stream.failStart(unavailable('client is closed'));
      return;
    }
    let target: Target | undefined;
    try {
      target = this.pick(stream);
    } catch (e) {
      stream.failStart(e as RpcError);
      return;
    }
    if (target === undefined) {
      stream.failStart(lastError ?? unavailable(this.order.length === 0 ? 'no hostPorts configured and the call names no hostPort' : 'no address to connect to'));
      return;
    }
    (stream.tried ??= new Set()).add(target.hostPort);
    this.connection(target).enqueue(stream);
  }

  // --- ConnectionOwner ---

  /** @internal */
  opened(conn: ClientConnection): void {
    this.onConnectionState?.(conn.hostPort, 'ready');
  }

  /** @internal */
  connectFailed(conn: ClientConnection, err: RpcError, streams: ClientStream[]): void {
    if (!this.closing) this.onConnectionState?.(conn.hostPort, 'failed');
    const t = this.forget(conn);
    if (t !== undefined) t.downUntil = Date.now() + DOWN_BACKOFF_MS;
    // Nothing was sent on it: another address may take the streams.
    for (const s of streams) if (!s.finished) this.acquire(s, err);
  }

  /** @internal */
  closed(conn: ClientConnection): void {
    const t = this.forget(conn);
    if (t !== undefined && t.connectionCount === 0 && !this.closing) this.onConnectionState?.(t.hostPort, 'closed');
  }

  /** Drops a connection from its address; the address itself too when it is not configured and has none left. */
  private forget(conn: ClientConnection): Target | undefined {
    const t = this.targets.get(conn.hostPort);
    // A connection of an address let go (closeAddress) is in no target any more.
    this.letGo.delete(conn);
    const i = t === undefined ? -1 : t.conns.indexOf(conn);
    if (t !== undefined && i >= 0) {
      t.conns[i] = undefined;
      if (!t.configured && t.connectionCount === 0) this.targets.delete(t.hostPort);
    }
    if (this.closing && this.connectionCount === 0) for (const w of this.closeWaiters.splice(0)) w();
    return i >= 0 ? t : undefined;
  }

  private target(hostPort: string, configured: boolean): Target {
    let t = this.targets.get(hostPort);
    if (t === undefined) {
      const { host, port } = parseHostPort(hostPort);
      t = new Target(hostPort, host, port, this.size, configured);
      this.targets.set(hostPort, t);
    }
    return t;
  }

  /** The address for a stream: its pinned one, or the next untried one round robin, preferring those not down. */
  private pick(stream: ClientStream): Target | undefined {
    const pinned = stream.route.hostPort;
    const tried = stream.tried;
    if (pinned !== undefined) {
      if (tried === undefined || !tried.has(pinned)) return this.target(pinned, false);
      // The pinned address (and any the caller named since) could not be reached: ask for another.
      const next = stream.route.nextHostPort?.(tried);
      return next === undefined || tried.has(next) ? undefined : this.target(next, false);
    }
    const n = this.order.length;
    const now = Date.now();
    let fallback: Target | undefined;
    for (let i = 0; i < n; i++) {
      const t = this.order[(this.next + i) % n]!;
      if (tried?.has(t.hostPort)) continue;
      if (t.downUntil > now) {
        fallback ??= t;
        continue;
      }
      this.next = (this.next + i + 1) % n;
      return t;
    }
    return fallback;
  }

  /** The next connection of `t` (Kitex's cursor over its mux list), opened when missing. */
  private connection(t: Target): ClientConnection {
    const i = t.cursor;
    t.cursor = i + 1 === t.conns.length ? 0 : i + 1;
    let c = t.conns[i];
    if (c === undefined || c.broken) {
      c = new ClientConnection(this, t.hostPort, t.host, t.port);
      t.conns[i] = c;
    }
    return c;
  }
}

/** The stream's Header frame with stream id 0: `isn` and the metainfo (kitex client_provider.go NewStream). */
function headerFrame(opts: TTStreamCallOptions): Uint8Array {
  const info = new Map([[StrInfoKey.IDLServiceName, opts.service]]);
  putMetainfo(info, opts.metadata, opts.persistentMetadata);
  return encodeHead(FrameType.Header, 0, opts.method, info, 0);
}

function hasEntries(o: Record<string, string> | undefined): boolean {
  if (o === undefined) return false;
  for (const _ in o) return true;
  return false;
}
