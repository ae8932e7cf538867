import http2 from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { ClientHttp2Session, SecureClientSessionOptions } from 'node:http2';
import { Code, RpcError } from '../errors/index.js';
import { describeConnection, type ConnectListener } from '../net/connection-info.js';
import { ClientCallImpl } from './client-call.js';
import { armTimer } from '../timers/index.js';
import type { CallHost, CallOptions, ClientCall } from './client-call.js';

/** TLS settings for a channel; `true` means TLS with the system's default CAs. */
export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  servername?: string;
  rejectUnauthorized?: boolean;
}

/** Options of a {@link GrpcChannel}. */
export interface ChannelOptions {
  /**
   * `host:port` targets; calls that do not name their own `hostPort` are spread round-robin
   * over them, unreachable ones skipped. May be empty when every call names its address.
   */
  hostPorts: string[];
  /** TLS (h2 over ALPN); absent or false = plaintext h2c. */
  tls?: TlsOptions | boolean;
  /** `:authority` to send (default: the target's host:port). Kitex uses the service name. */
  authority?: string;
  userAgent?: string;
  /** Time allowed to connect and receive the server's SETTINGS (default 10 s). */
  connectTimeoutMs?: number;
  /** A session without calls for this long is closed (default 5 min; 0 = never). */
  idleTimeoutMs?: number;
  /** Ping every intervalMs while calls are active; no ack within timeoutMs fails them UNAVAILABLE. */
  keepalive?: { intervalMs: number; timeoutMs: number };
  /** Largest message accepted (default 4 MiB); larger → RESOURCE_EXHAUSTED. */
  maxReceiveMessageBytes?: number;
  /** Largest message sent (default unlimited up to 4 GiB - 1); larger → RESOURCE_EXHAUSTED. */
  maxSendMessageBytes?: number;
  /** Largest decompressed message (default = maxReceiveMessageBytes). */
  maxDecompressedBytes?: number;
  /** Told about each session once it is ready: resolved address, ALPN, the TLS peer. */
  onConnect?: ConnectListener;
  /**
   * Told what becomes of connections to each address: `ready` (a session is up), `failed` (a
   * connection attempt failed: refused, timed out, closed before the server's SETTINGS) or
   * `closed` (a session that was up ended). Balancers use it for connection state and outlier
   * ejection. Called synchronously; it must not throw.
   */
  onConnectionState?: (hostPort: string, state: 'ready' | 'failed' | 'closed') => void;
}

/** Default user agent, so servers can tell who called. */
export const DEFAULT_USER_AGENT = 'idlcall-http2/0.1';
const DEFAULT_MAX_RECEIVE = 4 * 1024 * 1024;
/** A unconnected target that failed is passed over for this long while others remain. */
const DOWN_BACKOFF_MS = 1000;
/** Per-stream receive window: large enough that streaming is not throttled by round trips. */
const STREAM_WINDOW = 1 << 20;
/** Connection-level receive window. */
const SESSION_WINDOW = 8 << 20;

interface Target {
  readonly hostPort: string;
  readonly url: string;
  entry: SessionEntry | undefined;
  downUntil: number;
  /** One of the channel's configured hostPorts (kept), rather than an address a call named. */
  readonly configured: boolean;
}

/** One HTTP/2 session and its bookkeeping. */
interface SessionEntry {
  readonly target: Target;
  readonly session: ClientHttp2Session;
  ready: boolean;
  /** No new streams (GOAWAY received, closing, destroyed). */
  dead: boolean;
  deathReason: string | undefined;
  /** The error behind the death (refused, TLS verification, connect timeout…), when there was one. */
  deathCause: Error | undefined;
  /** The code calls cut by the session's death end with: UNAVAILABLE, or CANCELLED when the client closed it. */
  deathCode: number;
  active: number;
  /** Calls waiting for the session to be ready or for a free stream slot. */
  waiting: ClientCallImpl[];
  idleTimer: NodeJS.Timeout | undefined;
  /** When the session last went without calls (performance.now()). */
  idleSince: number;
  /** The server's SETTINGS_MAX_CONCURRENT_STREAMS (cached: reading node's getter allocates). */
  maxStreams: number;
  connectTimer: NodeJS.Timeout | undefined;
  keepaliveTimer: NodeJS.Timeout | undefined;
  pingTimer: NodeJS.Timeout | undefined;
}

/**
 * A set of targets and their HTTP/2 sessions: one session per target, many calls per
 * session. Sessions are opened on demand, honour the server's MAX_CONCURRENT_STREAMS
 * (further calls wait for a slot), are replaced on the next call after they die, closed
 * after idling, and pinged when keepalive is on. Knows nothing of IDLs.
 */
export class GrpcChannel implements CallHost {
  readonly userAgent: string;
  readonly authority: string | undefined;
  readonly maxReceiveMessageBytes: number;
  readonly maxSendMessageBytes: number;
  readonly maxDecompressedBytes: number;
  /** The configured targets, for round robin. */
  private readonly targets: Target[];
  /** Every target by address: the configured ones and those calls named while they have a session. */
  private readonly byHostPort = new Map<string, Target>();
  private readonly scheme: 'http' | 'https';
  private readonly tls: SecureClientSessionOptions | undefined;
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly keepalive: { intervalMs: number; timeoutMs: number } | undefined;
  private readonly onConnect: ConnectListener | undefined;
  private readonly bySession = new Map<ClientHttp2Session, SessionEntry>();
  private readonly onConnectionState: ((hostPort: string, state: 'ready' | 'failed' | 'closed') => void) | undefined;
  private rr = 0;
  private closing = false;
  /** Set when close()'s grace ran out: whatever still ran was cancelled. */
  private cut = false;
  private cutTimer: NodeJS.Timeout | undefined;
  private closeWaiters: (() => void)[] = [];

  constructor(opts: ChannelOptions) {
    this.scheme = opts.tls ? 'https' : 'http';
    this.targets = opts.hostPorts.map((hp) => this.targetFor(hp, true));
    if (opts.tls) {
      const t: TlsOptions = opts.tls === true ? {} : opts.tls;
      const s: SecureClientSessionOptions = { ALPNProtocols: ['h2'] };
      if (t.ca !== undefined) s.ca = t.ca;
      if (t.cert !== undefined) s.cert = t.cert;
      if (t.key !== undefined) s.key = t.key;
      if (t.servername !== undefined) s.servername = t.servername;
      if (t.rejectUnauthorized !== undefined) s.rejectUnauthorized = t.rejectUnauthorized;
      this.tls = s;
    }
    this.authority = opts.authority;
    this.userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 300_000;
    this.keepalive = opts.keepalive;
    this.onConnect = opts.onConnect;
    this.onConnectionState = opts.onConnectionState;
    this.maxReceiveMessageBytes = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE;
    this.maxSendMessageBytes = opts.maxSendMessageBytes ?? 0xffffffff;
    this.maxDecompressedBytes = opts.maxDecompressedBytes ?? this.maxReceiveMessageBytes;
  }

  /** Starts a call; throws RpcError INTERNAL synchronously for malformed or reserved metadata. */
  call(opts: CallOptions): ClientCall {
    return new ClientCallImpl(this, opts);
  }

  /**
   * Closes gracefully: new calls fail UNAVAILABLE, running and queued calls get
   * `graceMs` (default: as long as they take) to finish, then each session sends
   * GOAWAY and closes. Calls still running after the grace are cancelled
   * (CANCELLED) and their sessions dropped. Resolves when all sessions are closed.
   */
  close(graceMs = Infinity): Promise<void> {
    this.closing = true;
    for (const e of this.bySession.values()) this.maybeCloseEntry(e);
    if (this.bySession.size === 0) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (graceMs <= 0) this.cutCalls();
    else if (this.cutTimer === undefined && !this.cut) this.cutTimer = armTimer(graceMs, cutChannel, this);
    return closed;
  }

  /** @internal close()'s grace is over: every session still open is dropped, its calls cancelled. */
  cutCalls(): void {
    this.cutTimer = undefined;
    this.cut = true;
    for (const e of [...this.bySession.values()]) {
      e.deathReason = 'client is closed';
      e.deathCode = Code.CANCELLED;
      this.kill(e, e.deathReason, true);
    }
  }

  /**
   * Lets go of an address (an instance that left): its session takes no new calls, finishes
   * the running ones and closes; calls still waiting for it move on as if it were unreachable.
   * The address is forgotten unless it is one of the configured hostPorts.
   */
  closeAddress(hostPort: string): void {
    const e = this.byHostPort.get(hostPort)?.entry;
    if (e !== undefined) this.kill(e, `${hostPort} left`, false);
  }

  /** The target of one address, made on first use. */
  private targetFor(hostPort: string, configured: boolean): Target {
    let t = this.byHostPort.get(hostPort);
    if (t === undefined) {
      t = { hostPort, url: `${this.scheme}://${hostPort}`, entry: undefined, downUntil: 0, configured };
      this.byHostPort.set(hostPort, t);
    }
    return t;
  }

  /** Number of open sessions (for tests and diagnostics). */
  get sessionCount(): number {
    return this.bySession.size;
  }

  /**
   * Connects to the first target (or finds its session) and resolves once the server's HTTP/2
   * SETTINGS arrived; rejects UNAVAILABLE with the cause when the connection fails or times
   * out (`connectTimeoutMs`). Lets a caller tell "could not connect" from "the call failed",
   * as health probes must.
   */
  waitForReady(): Promise<void> {
    if (this.closing) return Promise.reject(new RpcError(Code.UNAVAILABLE, 'channel closed'));
    const target = this.targets[0]!;
    let e = target.entry;
    if (e === undefined || e.dead) e = this.connect(target);
    if (e.ready) return Promise.resolve();
    const entry = e;
    return new Promise((resolve, reject) => {
      const onSettings = (): void => {
        entry.session.off('close', onClose);
        resolve();
      };
      const onClose = (): void => {
        entry.session.off('remoteSettings', onSettings);
        reject(new RpcError(Code.UNAVAILABLE, entry.deathReason ?? `connection to ${target.hostPort} closed`));
      };
      entry.session.once('remoteSettings', onSettings);
      entry.session.once('close', onClose);
    });
  }

  // --- CallHost ---

  acquire(call: ClientCallImpl): void {
    if (this.closing) {
      call.failStart(this.cut ? new RpcError(Code.CANCELLED, 'client is closed') : new RpcError(Code.UNAVAILABLE, 'channel closed'));
      return;
    }
    const attempt = call.attempts;
    if (call.pinnedHostPort !== undefined) {
      if (attempt > 0 && !call.reroute()) {
        call.failStart(new RpcError(Code.UNAVAILABLE, `no reachable target among ${call.unreachable}`, causeOf(call)));
        return;
      }
      call.attempts = 1;
      this.startOrQueue(this.targetFor(call.pinnedHostPort, false), call);
      return;
    }
    const n = this.targets.length;
    if (n === 0) {
      call.failStart(new RpcError(Code.UNAVAILABLE, 'no hostPorts configured and the call names no hostPort'));
      return;
    }
    if (attempt >= n) {
      call.failStart(new RpcError(Code.UNAVAILABLE, `no reachable target among ${this.targets.map((t) => t.hostPort).join(', ')}`, causeOf(call)));
      return;
    }
    // Round-robin, passing over targets that failed recently unless all have.
    const now = Date.now();
    let target = this.targets[this.rr++ % n]!;
    if (n > 1 && target.downUntil > now) {
      for (let i = 0; i < n; i++) {
        const t = this.targets[(this.rr + i) % n]!;
        if (t.downUntil <= now) {
          target = t;
          break;
        }
      }
    }
    call.attempts = attempt + 1;
    this.startOrQueue(target, call);
  }

  /** Starts `call` on the target's session when it has a free slot, else queues it there. */
  private startOrQueue(target: Target, call: ClientCallImpl): void {
    let entry = target.entry;
    if (entry === undefined || entry.dead) entry = this.connect(target);
    if (entry.ready && entry.active < entry.maxStreams && entry.waiting.length === 0) {
      this.startOn(entry, call);
    } else {
      entry.waiting.push(call);
    }
  }

  release(session: ClientHttp2Session): void {
    const e = this.bySession.get(session);
    if (e === undefined) return;
    e.active--;
    this.pump(e);
    if (e.active === 0 && e.waiting.length === 0) this.becameIdle(e);
  }

  deathReason(session: ClientHttp2Session): string | undefined {
    return this.bySession.get(session)?.deathReason;
  }

  deathCode(session: ClientHttp2Session): number {
    return this.bySession.get(session)?.deathCode ?? Code.UNAVAILABLE;
  }

  deathCause(session: ClientHttp2Session): Error | undefined {
    return this.bySession.get(session)?.deathCause;
  }

  // --- sessions ---

  private startOn(e: SessionEntry, call: ClientCallImpl): void {
    call.attempts = 0;
    if (e.active === 0) e.session.ref();
    e.active++;
    call.start(e.session);
  }

  /** Starts waiting calls while slots are free. */
  private pump(e: SessionEntry): void {
    if (!e.ready || e.dead) return;
    const limit = e.maxStreams;
    while (e.waiting.length > 0 && e.active < limit) {
      const call = e.waiting.shift()!;
      if (call.finished) continue;
      this.startOn(e, call);
    }
  }

  private becameIdle(e: SessionEntry): void {
    if (this.closing || e.dead) {
      this.maybeCloseEntry(e);
      return;
    }
    // An idle session must not keep the process alive.
    e.session.unref();
    // One timer per session, re-armed when it finds the session was busy meanwhile:
    // cheaper than clearing and setting a timer around every call.
    e.idleSince = performance.now();
    if (this.idleTimeoutMs > 0 && e.idleTimer === undefined) this.armIdle(e, this.idleTimeoutMs);
  }

  private armIdle(e: SessionEntry, ms: number): void {
    e.idleTimer = setTimeout(() => {
      e.idleTimer = undefined;
      if (e.dead) return;
      if (e.active === 0 && e.waiting.length === 0) {
        const left = e.idleSince + this.idleTimeoutMs - performance.now();
        if (left <= 1) this.kill(e, 'idle timeout', false);
        else this.armIdle(e, left);
      }
      // Busy now: becameIdle re-arms when it next goes idle.
    }, ms);
    e.idleTimer.unref();
  }

  private maybeCloseEntry(e: SessionEntry): void {
    if (e.active === 0 && e.waiting.every((c) => c.finished)) {
      e.waiting.length = 0;
      this.kill(e, 'channel closed', false);
    }
  }

  /**
   * The TCP (or TLS) connection under a session, opened here rather than by
   * node:http2 so that Nagle's algorithm is off: it would hold small gRPC
   * frames back until the previous ones are acknowledged.
   */
  private openSocket(target: Target): net.Socket {
    const { hostname, port } = new URL(target.url);
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    const base = { host, port: Number(port), noDelay: true };
    if (!this.tls) return net.connect(base);
    const servername = this.tls.servername ?? (net.isIP(host) ? undefined : host);
    return tls.connect({ ...this.tls, ...base, ALPNProtocols: ['h2'], ...(servername ? { servername } : {}) });
  }

  private connect(target: Target): SessionEntry {
    const opts: SecureClientSessionOptions = {
      ...this.tls,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
    };
    let socket: net.Socket | undefined;
    const session = http2.connect(target.url, { ...opts, createConnection: (): Duplex => (socket = this.openSocket(target)) });
    const e: SessionEntry = {
      target,
      session,
      ready: false,
      dead: false,
      deathReason: undefined,
      deathCause: undefined,
      deathCode: Code.UNAVAILABLE,
      active: 0,
      waiting: [],
      idleTimer: undefined,
      idleSince: 0,
      maxStreams: 100,
      connectTimer: undefined,
      keepaliveTimer: undefined,
      pingTimer: undefined,
    };
    target.entry = e;
    this.bySession.set(session, e);
    e.connectTimer = setTimeout(() => {
      e.connectTimer = undefined;
      if (!e.ready) {
        e.deathCause ??= new Error(`connect timeout after ${this.connectTimeoutMs} ms`);
        this.kill(e, `connect to ${target.hostPort} timed out`, true);
      }
    }, this.connectTimeoutMs);
    session.once('connect', () => {
      try {
        session.setLocalWindowSize(SESSION_WINDOW);
      } catch {
        // Not fatal: the default window only slows streaming.
      }
    });
    session.once('remoteSettings', (settings: http2.Settings) => {
      e.maxStreams = settings.maxConcurrentStreams ?? 0xffffffff;
      // Ready only once the server's SETTINGS are known, so MAX_CONCURRENT_STREAMS is honoured from the first call.
      if (e.dead) return;
      e.ready = true;
      if (e.connectTimer !== undefined) {
        clearTimeout(e.connectTimer);
        e.connectTimer = undefined;
      }
      target.downUntil = 0;
      if (this.onConnect && socket) this.onConnect(describeConnection(socket, target.hostPort, this.tls ? 'h2' : 'h2c'));
      this.onConnectionState?.(target.hostPort, 'ready');
      this.startKeepalive(e);
      this.pump(e);
      if (e.active === 0 && e.waiting.length === 0) this.becameIdle(e);
    });
    session.on('remoteSettings', (settings: http2.Settings) => {
      e.maxStreams = settings.maxConcurrentStreams ?? 0xffffffff;
      this.pump(e);
    });
    session.on('error', (err: Error) => {
      // The first error is the telling one (a TLS verification failure, a refusal); later ones follow from it.
      e.deathCause ??= err;
    });
    session.on('goaway', (errorCode: number) => {
      // No new streams here; streams above the last id are refused by nghttp2 (→ UNAVAILABLE).
      this.markDead(e, `server sent GOAWAY (code ${errorCode})`);
    });
    session.on('close', () => {
      if (!e.ready && !e.dead && e.deathCause === undefined) {
        // Closed without an error before any SETTINGS: typically a TLS port spoken to in plaintext.
        e.deathCause = new Error('the server closed the connection before sending HTTP/2 SETTINGS (a TLS port reached without TLS, or not an HTTP/2 server)');
      }
      const cause = e.deathCause;
      this.markDead(e, e.deathReason ?? (cause ? `connection error: ${cause.message}` : 'connection closed'));
      this.clearTimers(e);
      this.bySession.delete(session);
      // An address a call named is forgotten with its last session, so addresses that come and go don't pile up.
      if (!e.target.configured && e.target.entry === undefined) this.byHostPort.delete(e.target.hostPort);
      // Calls that never got a stream here try the next target (or fail after all were tried).
      this.retryWaiting(e);
      if (this.bySession.size === 0 && this.closeWaiters.length > 0) {
        if (this.cutTimer !== undefined) clearTimeout(this.cutTimer);
        this.cutTimer = undefined;
        const ws = this.closeWaiters;
        this.closeWaiters = [];
        for (const w of ws) w();
      }
    });
    return e;
  }

  private markDead(e: SessionEntry, reason: string): void {
    if (e.dead) return;
    e.dead = true;
    e.deathReason ??= reason;
    // A target that never got ready is passed over for a while by round-robin.
    if (!e.ready) e.target.downUntil = Date.now() + DOWN_BACKOFF_MS;
    this.onConnectionState?.(e.target.hostPort, e.ready ? 'closed' : 'failed');
    if (e.target.entry === e) e.target.entry = undefined;
    // Waiting calls move on now rather than when the session finally closes.
    this.retryWaiting(e);
  }

  /** Calls that never got a stream on a dead session try the next target (or fail after all were tried). */
  private retryWaiting(e: SessionEntry): void {
    const waiting = e.waiting;
    e.waiting = [];
    for (const c of waiting) {
      if (c.finished) continue;
      if (e.deathCause !== undefined) c.connectFailure = e.deathCause;
      this.acquire(c);
    }
  }

  private kill(e: SessionEntry, reason: string, destroy: boolean): void {
    this.markDead(e, reason);
    this.clearTimers(e);
    // A session still connecting has nothing to drain: drop it at once.
    if (destroy || !e.ready) e.session.destroy();
    else if (!e.session.closed) {
      // An idle session is unref'd; a closing one must keep the process alive until
      // it has closed, or whoever awaits close() is cut off with the event loop.
      e.session.ref();
      e.session.close();
    }
  }

  private clearTimers(e: SessionEntry): void {
    for (const t of [e.idleTimer, e.connectTimer, e.keepaliveTimer, e.pingTimer]) if (t !== undefined) clearTimeout(t);
    e.idleTimer = e.connectTimer = e.keepaliveTimer = e.pingTimer = undefined;
  }

  private startKeepalive(e: SessionEntry): void {
    const ka = this.keepalive;
    if (ka === undefined) return;
    e.keepaliveTimer = setInterval(() => {
      // Ping only while calls are active: servers punish idle pings (GOAWAY ENHANCE_YOUR_CALM).
      if (e.active === 0 || e.pingTimer !== undefined || e.dead) return;
      e.pingTimer = setTimeout(() => {
        e.pingTimer = undefined;
        e.deathReason = `keepalive ping not acknowledged within ${ka.timeoutMs} ms`;
        this.kill(e, e.deathReason, true);
      }, ka.timeoutMs);
      e.pingTimer.unref();
      const sent = e.session.ping((err) => {
        if (e.pingTimer !== undefined) {
          clearTimeout(e.pingTimer);
          e.pingTimer = undefined;
        }
        void err;
      });
      if (!sent && e.pingTimer !== undefined) {
        clearTimeout(e.pingTimer);
        e.pingTimer = undefined;
      }
    }, ka.intervalMs);
    e.keepaliveTimer.unref();
  }
}

/** The RpcError init that carries why a call's last connection attempt failed, when known. */
function causeOf(call: ClientCallImpl): { cause?: Error } {
  return call.connectFailure === undefined ? {} : { cause: call.connectFailure };
}

function cutChannel(channel: GrpcChannel): void {
  channel.cutCalls();
}
