import http2 from 'node:http2';
import type { Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';

/** What a test makes the hostile server do with each incoming stream. */
export type HostileHandler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, session: Http2Session) => void;

/**
 * A bare node:http2 server whose behaviour each test scripts (resets, GOAWAY, bad
 * framing...). Counts open sessions and streams so tests can check nothing leaked.
 */
export interface HostileServer {
  port: number;
  /** Replaced per test. */
  handler: HostileHandler;
  readonly openStreams: number;
  readonly openSessions: number;
  /** Every stream's close code (RST code or 0), in order of closing. */
  readonly closedRstCodes: number[];
  readonly server: Http2Server;
  /** Destroys every raw TCP connection at once (no GOAWAY, no RST: a dropped network). */
  dropConnections(): void;
  /** Waits (bounded) until no stream is open; returns the count still open. */
  settle(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/** Starts a hostile server on 127.0.0.1:0. */
export async function startHostileServer(settings: http2.Settings = {}): Promise<HostileServer> {
  const server = http2.createServer({ settings });
  const sessions = new Set<Http2Session>();
  const streams = new Set<ServerHttp2Stream>();
  const closedRstCodes: number[] = [];
  const sockets = new Set<Socket>();
  server.on('connection', (sock: Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  const hs: HostileServer = {
    port: 0,
    handler: (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '0' }, { endStream: true }),
    get openStreams() {
      return streams.size;
    },
    get openSessions() {
      return sessions.size;
    },
    closedRstCodes,
    server,
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    async settle(timeoutMs = 3000) {
      const until = Date.now() + timeoutMs;
      while (streams.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      return streams.size;
    },
    close() {
      return new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      });
    },
  };
  server.on('session', (s) => {
    sessions.add(s);
    s.on('error', () => {});
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    streams.add(stream);
    stream.on('error', () => {});
    stream.on('close', () => {
      streams.delete(stream);
      closedRstCodes.push(stream.rstCode ?? 0);
    });
    hs.handler(stream, headers, stream.session!);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hs.port = (server.address() as { port: number }).port;
  return hs;
}

/** A gRPC message prefix + payload, for scripting raw responses. */
export function frame(payload: Uint8Array, flags = 0, announcedLength = payload.length): Buffer {
  const b = Buffer.alloc(5 + payload.length);
  b[0] = flags;
  b.writeUInt32BE(announcedLength, 1);
  b.set(payload, 5);
  return b;
}
