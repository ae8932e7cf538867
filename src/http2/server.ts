import http2 from 'node:http2';
import type { Http2SecureServer, Http2Server, Http2Session, IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { Code } from '../errors/index.js';
import { ServerCallImpl } from './server-call.js';
import { ConnectionTimer, handedOverTimer, resolveLimits } from '../connection-policy/index.js';
import { MAX_TIMER_MS } from '../timers/index.js';
import type { ServerCall, ServerCallConfig } from './server-call.js';

/** Options of {@link createGrpcServer}. */
export interface GrpcServerOptions {
  /** TLS (h2 over ALPN); `ca` + `requestCert` ask clients for certificates. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requestCert?: boolean };
  /** Largest request message (default 4 MiB). */
  maxReceiveMessageBytes?: number;
  /** Largest decompressed request message (default = maxReceiveMessageBytes). */
  maxDecompressedBytes?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced to clients (default 100). */
  maxConcurrentStreams?: number;
  /** A session without streams for this long gets GOAWAY and is closed (default 5 min; 0 = never). */
  idleTimeoutMs?: number;
  /**
   * Time for a new connection to send the HTTP/2 preface and its SETTINGS (with
   * TLS: also to complete the TLS handshake); default 10 s, 0 = no limit.
   * A socket handed over by {@link GrpcServer.handleSocket} keeps the budget it
   * was given (see `handOverTimer`).
   */
  handshakeTimeoutMs?: number;
  /** Connections accepted at once when this server listens itself (default unlimited). */
  maxConnections?: number;
  /** Compress responses with this when the client's grpc-accept-encoding allows. */
  responseCompression?: 'gzip' | 'deflate';
  /** How long close() lets calls finish before cutting connections (default 1 s). */
  closeGraceMs?: number;
}

/** A running gRPC server. */
export interface GrpcServer {
  /** Serves an already-accepted socket (e.g. after sniffing its first bytes and unshifting them). */
  handleSocket(socket: Socket): void;
  /** Listens on host:port (port 0 = any free port). */
  listen(port: number, host: string): Promise<{ port: number }>;
  /** Stops listening, lets calls finish (up to the grace), closes every connection. */
  close(): Promise<void>;
  /** Open HTTP/2 sessions (for tests and diagnostics). */
  readonly sessionCount: number;
}

/**
 * A gRPC server over node:http2: each incoming call becomes a {@link ServerCall} handed to
 * `onCall`. A handler that returns a promise gets its call ended with OK when the promise
 * resolves (if it has not ended it), or with the error's status when it rejects (an
 * RpcError keeps its code, anything else is UNKNOWN).
 */
export function createGrpcServer(
  onCall: (call: ServerCall) => void | Promise<void>,
  opts: GrpcServerOptions = {},
): GrpcServer {
  const limits = resolveLimits(opts);
  const cfg: ServerCallConfig = {
    maxReceiveMessageBytes: limits.maxReceiveMessageBytes,
    maxDecompressedBytes: opts.maxDecompressedBytes ?? limits.maxReceiveMessageBytes,
    responseCompression: opts.responseCompression,
  };
  const settings = { maxConcurrentStreams: limits.maxConcurrentStreams, initialWindowSize: 1 << 20 };
  const server: Http2Server | Http2SecureServer = opts.tls
    ? http2.createSecureServer({
      ...opts.tls,
      allowHTTP1: false,
      ALPNProtocols: ['h2'],
      settings,
      ...(limits.handshakeTimeoutMs > 0 ? { handshakeTimeout: Math.min(limits.handshakeTimeoutMs, MAX_TIMER_MS) } : {}),
    })
    : http2.createServer({ settings });
  if (Number.isFinite(limits.maxConnections)) server.maxConnections = limits.maxConnections;
  const sessions = new Set<Http2Session>();

  server.on('session', (s: Http2Session) => {
    sessions.add(s);
    // One clock per connection: the preface + SETTINGS budget, then idleness (no streams).
    const timer = handedOverTimer(s.socket) ?? new ConnectionTimer(limits, noop);
    timer.onExpire = (reason) => (reason === 'handshake' ? s.destroy() : s.close());
    (s as TimedSession)[TIMER] = timer;
    s.once('remoteSettings', () => timer.handshakeDone());
    s.once('close', () => timer.stop());
    s.on('error', noop);
    // A larger connection window than HTTP/2's 64 KiB default, so streaming clients are
    // not throttled by round trips (the session is already set up when 'session' fires).
    try {
      s.setLocalWindowSize(8 << 20);
    } catch {
      // Not fatal: only slower.
    }
    s.on('close', () => sessions.delete(s));
  });
  server.on('sessionError', noop);
  // Small gRPC frames must not wait for Nagle's algorithm (node:http2 leaves it on).
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    // A stream is a call in flight for the connection's idle clock.
    const timer = (stream.session as TimedSession | undefined)?.[TIMER];
    timer?.callStarted();
    if (headers[':method'] !== 'POST') {
      rejectStream(stream, timer, { ':status': 405 });
      return;
    }
    const ct = headers['content-type'];
    if (typeof ct !== 'string' || !ct.startsWith('application/grpc')) {
      rejectStream(stream, timer, { ':status': 415, 'grpc-status': String(Code.INTERNAL), 'grpc-message': 'unsupported content-type' });
      return;
    }
    const call = new ServerCallImpl(stream, headers, cfg, timer);
    let r: void | Promise<void>;
    try {
      r = onCall(call);
    } catch (e) {
      failCall(call, e);
      return;
    }
    if (r !== undefined && typeof (r as Promise<void>).then === 'function') {
      (r as Promise<void>).then(
        () => endCall(call),
        (e: unknown) => failCall(call, e),
      );
    }
  });

  return {
    handleSocket(socket: Socket): void {
      server.emit('connection', socket);
    },
    listen(port: number, host: string): Promise<{ port: number }> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const a: AddressInfo | string | null = server.address();
          resolve({ port: typeof a === 'object' && a !== null ? a.port : port });
        });
      });
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          clearTimeout(force);
          resolve();
        };
        const force = setTimeout(() => {
          for (const s of sessions) s.destroy();
        }, opts.closeGraceMs ?? 1000);
        if (server.listening) server.close(() => finish());
        for (const s of sessions) s.close();
        if (!server.listening) {
          // handleSocket-only servers never listened: wait for the sessions themselves.
          const check = (): void => {
            if (sessions.size === 0) finish();
            else setTimeout(check, 10);
          };
          check();
        }
      });
    },
    get sessionCount(): number {
      return sessions.size;
    },
  };
}

function noop(): void {}

const TIMER = Symbol('idlcall.connectionTimer');
type TimedSession = Http2Session & { [TIMER]: ConnectionTimer };
type TimedStream = ServerHttp2Stream & { [TIMER]: ConnectionTimer | undefined };

/** Answers a request that is no gRPC call with `headers` alone; the stream still counts for the idle clock until it closes. */
function rejectStream(stream: ServerHttp2Stream, timer: ConnectionTimer | undefined, headers: OutgoingHttpHeaders): void {
  stream.on('error', noop);
  (stream as TimedStream)[TIMER] = timer;
  stream.once('close', rejectedStreamOnClose);
  stream.respond(headers, { endStream: true });
}

function rejectedStreamOnClose(this: TimedStream): void {
  this[TIMER]?.callEnded();
}

/**
 * Ends a call whose handler finished. Should ending throw (trailers node
 * refuses, say), the stream is reset instead: a handler's mistake never
 * becomes an uncaught exception that takes the process down.
 */
function endCall(call: ServerCallImpl): void {
  try {
    call.end();
  } catch {
    call.reset();
  }
}

/** Ends a call with the status of a thrown error, or resets it if even that cannot be sent. */
function failCall(call: ServerCallImpl, err: unknown): void {
  try {
    call.fail(err);
  } catch {
    call.reset();
  }
}
