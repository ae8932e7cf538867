/**
 * The server side of a TTHeader Streaming connection: every Header frame
 * opens a stream that is handed to `onStream`; Data, Trailer and Rst frames go
 * to their stream. Limits hold against hostile peers: frame size, concurrent
 * streams, received bytes held unread, handshake and idle time. A frame the
 * protocol does not allow ends the connection; a stream that breaks a rule
 * or a limit ends alone, with an error Trailer.
 */
import type { Socket } from 'node:net';
import { Code, RpcError } from '../errors/index.js';
import { protocolError } from '../frame/index.js';
import { formatAddress } from '../net/connection-info.js';
import { BatchWriter } from './batch-writer.js';
import { ReadPressure } from './receive-queue.js';
import { FrameReader, type FrameSink } from './frame-reader.js';
import { FrameType, framePrefix, type FrameView } from './frame.js';
import { decodeStreamException } from './exception.js';
import { ServerStream, type StreamConnection } from './server-stream.js';
import { ConnectionTimer, resolveLimits } from '../connection-policy/index.js';

/** Limits of a ttstream server connection (defaults: src/connection-policy). */
export interface TTStreamServerOptions {
  /** Largest request message (default 4 MiB). */
  maxReceiveMessageBytes?: number;
  /** Streams open at once on one connection (default 100, as the gRPC side announces); more are refused. */
  maxConcurrentStreams?: number;
  /** Time from the hand-over to the first whole frame (default 10 s); 0 = none. Ignored with `timer`. */
  handshakeTimeoutMs?: number;
  /** A connection without streams is closed after this long (default 5 min); 0 = never. Ignored with `timer`. */
  idleTimeoutMs?: number;
  /**
   * The connection's clock, when the server that accepted the socket already
   * started it (the handshake budget then counts from accept).
   */
  timer?: ConnectionTimer;
}

/** Room for a frame's header beyond its payload. */
const MAX_HEADER_BYTES = 14 + 0xffff * 4;

/** One served connection (see the module comment). */
export class ServerConnection implements FrameSink, StreamConnection {
  readonly writer: BatchWriter;
  /** What the streams hold unread (reading pauses over a high-water mark). */
  readonly pressure: ReadPressure;
  readonly maxReceiveMessageBytes: number;
  /** The client's address as `ip:port` (`[ip]:port` for IPv6). */
  readonly peer: string;
  private readonly maxStreams: number;
  private readonly reader: FrameReader;
  private readonly streams = new Map<number, ServerStream>();
  private dead = false;
  /** Handshake, then idleness (no stream open): the clock every server transport shares. */
  private readonly timer: ConnectionTimer;

  constructor(
    private readonly socket: Socket,
    private readonly onStream: (stream: ServerStream) => void,
    opts: TTStreamServerOptions = {},
  ) {
    const { timer, ...given } = opts;
    const limits = resolveLimits(given);
    this.maxReceiveMessageBytes = limits.maxReceiveMessageBytes;
    this.peer = socket.remoteAddress ? formatAddress(socket.remoteAddress, socket.remotePort ?? 0) : '';
    this.maxStreams = limits.maxConcurrentStreams;
    this.writer = new BatchWriter(socket);
    this.pressure = new ReadPressure(socket);
    this.reader = new FrameReader(this, this.maxReceiveMessageBytes + MAX_HEADER_BYTES);
    this.timer = timer ?? new ConnectionTimer(limits, noop);
    this.timer.onExpire = (reason) =>
      this.close(reason === 'handshake' ? new RpcError(Code.DEADLINE_EXCEEDED, 'no ttstream frame within the handshake timeout') : new RpcError(Code.UNAVAILABLE, 'idle timeout'));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.push(chunk));
    socket.on('error', () => this.close(new RpcError(Code.CANCELLED, 'connection error')));
    socket.on('close', () => this.close(new RpcError(Code.CANCELLED, 'connection closed')));
  }

  /** Streams open now. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Bytes read but not yet handed to a handler, or held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.pressure.held + this.reader.buffered;
  }

  /** Feeds bytes read from the socket (the detection's first chunk, then every read). */
  push(chunk: Uint8Array): void {
    if (this.dead) return;
    try {
      this.reader.push(chunk);
    } catch (e) {
      this.close(e instanceof RpcError ? e : protocolError(String(e)));
    }
  }

  /** Cuts every stream and the socket. */
  close(err: RpcError): void {
    if (this.dead) return;
    this.dead = true;
    this.timer.stop();
    this.writer.flush();
    this.writer.close();
    this.reader.clear();
    for (const s of [...this.streams.values()]) s.cut(err, false);
    this.streams.clear();
    this.socket.destroy();
  }

  // --- FrameSink ---

  onFrame(f: FrameView): void {
    this.timer.handshakeDone();
    const s = this.streams.get(f.sid);
    switch (f.type) {
      case FrameType.Header:
        if (s !== undefined) {
          // Kitex would silently start a second stream under the same id; we end the first.
          s.cut(new RpcError(Code.INTERNAL, `protocol error: stream id ${f.sid} reused while open`), true);
          return;
        }
        this.open(f);
        return;
      case FrameType.Data:
        s?.onData(f.payload());
        return;
      case FrameType.Trailer:
        s?.onTrailer(f.payload(), f.strInfo);
        return;
      case FrameType.Rst:
        s?.onReset(resetReason(f));
        return;
      default:
        return; // Meta frames feed custom handlers in Kitex; none here
    }
  }

  onOversized(sid: number, bytes: number): void {
    const s = this.streams.get(sid);
    s?.cut(new RpcError(Code.RESOURCE_EXHAUSTED, `frame of ${bytes} bytes larger than max receive size (${this.maxReceiveMessageBytes})`), true);
  }

  // --- StreamConnection ---

  release(stream: ServerStream): void {
    if (this.streams.get(stream.sid) !== stream) return;
    this.streams.delete(stream.sid);
    this.timer.callEnded();
  }

  private open(f: FrameView): void {
    const method = f.method;
    const stream = new ServerStream(this, f.sid, method, framePrefix(method), f.strInfo);
    if (this.streams.size >= this.maxStreams) {
      stream.fail(new RpcError(Code.RESOURCE_EXHAUSTED, `too many concurrent streams on the connection (limit ${this.maxStreams})`));
      return;
    }
    this.streams.set(f.sid, stream);
    this.timer.callStarted();
    this.onStream(stream);
  }
}

function noop(): void {}

/** Why the client reset a stream, from its Rst frame's exception (when readable). */
function resetReason(f: FrameView): string {
  if (f.payloadLength === 0) return 'stream reset by the client';
  try {
    return `stream reset by the client: ${decodeStreamException(f.payload()).message}`;
  } catch {
    return 'stream reset by the client';
  }
}

/**
 * Serves one connection that was recognised as ttstream (see
 * `isTTStreamStart`), starting with the bytes already read from it.
 */
export function serveTTStreamConnection(
  socket: Socket,
  firstChunk: Uint8Array,
  onStream: (stream: ServerStream) => void,
  opts?: TTStreamServerOptions,
): ServerConnection {
  const conn = new ServerConnection(socket, onStream, opts);
  conn.push(firstChunk);
  return conn;
}
