import http2 from 'node:http2';
import type { Http2SecureServer, Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { Code } from '../errors/index.js';
import { ServerCallImpl } from './server-call.js';
import type { ServerCall, ServerCallConfig } from './server-call.js';

/** Options of {@link createGrpcServer}. */
export interface GrpcServerOptions {
  /** TLS (h2 over ALPN); `ca` + `requestCert` ask clients for certificates. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requestCert?: boolean };
  /** Largest request message (default 4 MiB). */
  maxReceiveMessageBytes?: number;
  /** Largest decompressed request message (default = maxReceiveMessageBytes). */
  maxDecompressedBytes?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced to clients (default 1000). */
  maxConcurrentStreams?: number;
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
  const maxRecv = opts.maxReceiveMessageBytes ?? 4 * 1024 * 1024;
  const cfg: ServerCallConfig = {
    maxReceiveMessageBytes: maxRecv,
    maxDecompressedBytes: opts.maxDecompressedBytes ?? maxRecv,
    responseCompression: opts.responseCompression,
  };
  const settings = { maxConcurrentStreams: opts.maxConcurrentStreams ?? 1000, initialWindowSize: 1 << 20 };
  const server: Http2Server | Http2SecureServer = opts.tls
    ? http2.createSecureServer({ ...opts.tls, allowHTTP1: false, ALPNProtocols: ['h2'], settings })
    : http2.createServer({ settings });
  const sessions = new Set<Http2Session>();

  server.on('session', (s: Http2Session) => {
    sessions.add(s);
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
    if (headers[':method'] !== 'POST') {
      stream.on('error', noop);
      stream.respond({ ':status': 405 }, { endStream: true });
      return;
    }
    const ct = headers['content-type'];
    if (typeof ct !== 'string' || !ct.startsWith('application/grpc')) {
      stream.on('error', noop);
      stream.respond({ ':status': 415, 'grpc-status': String(Code.INTERNAL), 'grpc-message': 'unsupported content-type' }, { endStream: true });
      return;
    }
    const call = new ServerCallImpl(stream, headers, cfg);
    let r: void | Promise<void>;
    try {
      r = onCall(call);
    } catch (e) {
      call.fail(e);
      return;
    }
    if (r !== undefined && typeof (r as Promise<void>).then === 'function') {
      (r as Promise<void>).then(
        () => call.end(),
        (e: unknown) => call.fail(e),
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
