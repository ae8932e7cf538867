/**
 * One client connection of TTHeader Streaming: streams multiplexed by stream
 * id, frames batched out (BatchWriter), cut apart on the way in
 * (FrameReader), and reading paused while the streams hold too much unread
 * (ReadPressure).
 */
import net from 'node:net';
import { RpcError } from '../errors/index.js';
import { StrInfoKey, protocolError, unavailable } from '../frame/index.js';
import { describeConnection, type ConnectListener } from '../net/connection-info.js';
import { BatchWriter } from './batch-writer.js';
import { ReadPressure } from './receive-queue.js';
import { FrameReader, type FrameSink } from './frame-reader.js';
import { FrameType, encodeHead, type FrameView } from './frame.js';
import { encodeStreamException } from './exception.js';
import type { ClientStream } from './client-stream.js';

/** Where every client connection reads into (see the constructor). */
const sharedReadBuffer = new Uint8Array(64 * 1024);
/** An idle connection lets the process exit after this long (reused at once, it is not touched). */
const UNREF_IDLE_AFTER_MS = 5;

/** What a connection needs from the client that owns it. */
export interface ConnectionOwner {
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxFrameBytes: number;
  /** Send Kitex's Rst frame (≥ v0.15) when a stream is abandoned. */
  readonly reset: boolean;
  /** Our service name, sent as the cancel path of Rst frames (none when empty). */
  readonly fromService: string;
  /** Told about each connection once it is open. */
  readonly onConnect: ConnectListener | undefined;
  /** The connection is open. */
  opened(conn: ClientConnection): void;
  /** The connection could not be opened: `streams` still need one. */
  connectFailed(conn: ClientConnection, err: RpcError, streams: ClientStream[]): void;
  /** The connection is gone (after it was open): forget it. */
  closed(conn: ClientConnection): void;
}

/** A multiplexed ttstream connection to one address (see the module comment). */
export class ClientConnection implements FrameSink {
  readonly socket: net.Socket;
  readonly writer: BatchWriter;
  /** What the streams hold unread (reading pauses over a high-water mark). */
  readonly pressure: ReadPressure;
  private readonly reader: FrameReader;
  private readonly streams = new Map<number, ClientStream>();
  /** Streams waiting for the connection to open. */
  private waiting: ClientStream[] | undefined = [];
  private open = false;
  private dead = false;
  private nextSid = 1;
  private referenced = true;
  private unrefTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Date.now() when the last stream left, or -1 while streams are open. */
  private idleSince = -1;
  private connectTimer: NodeJS.Timeout | undefined;
  /** close() was asked: the socket goes once the last stream is done. */
  private draining = false;

  constructor(
    private readonly owner: ConnectionOwner,
    readonly hostPort: string,
    host: string,
    port: number,
  ) {
    // Reads land in one buffer shared by every connection (Node's `onread`): no Buffer and no
    // stream event per read; the reader copies what outlives the callback.
    this.socket = net.connect({
      host,
      port,
      onread: {
        buffer: sharedReadBuffer,
        callback: (n: number, buf: Uint8Array) => {
          this.onData(buf.subarray(0, n));
          return true;
        },
      },
    });
    this.socket.setNoDelay(true);
    this.writer = new BatchWriter(this.socket);
    this.pressure = new ReadPressure(this.socket);
    this.reader = new FrameReader(this, owner.maxFrameBytes);
    this.connectTimer = setTimeout(() => this.fail(unavailable(`connect to ${hostPort} timed out after ${owner.connectTimeoutMs} ms`)), owner.connectTimeoutMs);
    this.socket.once('connect', () => this.onConnect());
    this.socket.on('error', (err: Error) => this.fail(unavailable(`${this.open ? 'connection to' : 'connect to'} ${hostPort} failed: ${err.message}`, err)));
    this.socket.on('close', () => this.fail(unavailable(`connection to ${hostPort} closed`)));
  }

  /** True once the connection is unusable. */
  get broken(): boolean {
    return this.dead;
  }

  /** Open streams. */
  get streamCount(): number {
    return this.streams.size;
  }

  /** Bytes received and not yet read by a stream, or held for an incomplete frame. */
  get bufferedBytes(): number {
    return this.pressure.held + this.reader.buffered;
  }

  /** Starts `stream` here now, or once the connection is open. */
  enqueue(stream: ClientStream): void {
    if (this.open) stream.begin(this);
    else this.waiting!.push(stream);
  }

  /** Registers a starting stream: gives it an id and sends its Header frame. */
  attach(stream: ClientStream): number {
    let sid = this.nextSid;
    // Ids count up from 1, wrap through the negatives (Kitex's ids are int32 too) and skip 0
    // (reserved for connection-level frames) and ids still in use.
    while (sid === 0 || this.streams.has(sid)) sid = (sid + 1) | 0;
    this.nextSid = (sid + 1) | 0;
    this.streams.set(sid, stream);
    this.busy();
    this.writer.head(stream.start.headerFrame, sid);
    return sid;
  }

  /** A stream ended: it is forgotten (frames still coming for it are dropped). */
  detach(stream: ClientStream): void {
    if (this.streams.get(stream.sid) !== stream) return;
    this.streams.delete(stream.sid);
    if (this.streams.size === 0) this.idle();
  }

  /** Queues a Data frame (`transient`: the payload is overwritten once this returns). */
  writeData(sid: number, prefix: Uint8Array, payload: Uint8Array, transient: boolean): void {
    this.writer.frame(prefix, FrameType.Data, sid, payload, transient);
  }

  /** Queues an empty Trailer frame: the client's half-close. */
  writeTrailer(sid: number, prefix: Uint8Array): void {
    this.writer.frame(prefix, FrameType.Trailer, sid, undefined);
  }

  /**
   * Tells the server a stream is abandoned (cancel, deadline, a local error):
   * an Rst frame with the reason (Kitex ≥ 0.15 stops the handler on it), then,
   * as Kitex does, a Trailer when the stream had not half-closed, for servers
   * that only know Trailers.
   */
  abandon(sid: number, method: string, prefix: Uint8Array, message: string, exceptionType: number, sendTrailer: boolean): void {
    if (this.dead || !this.streams.has(sid)) return;
    if (this.owner.reset) {
      const payload = encodeStreamException(method, sid, message, exceptionType);
      const info = this.owner.fromService ? new Map([[StrInfoKey.TTStreamCancelPath, this.owner.fromService]]) : undefined;
      this.writer.bytes(encodeHead(FrameType.Rst, sid, method, info, payload.length), payload);
    }
    if (sendTrailer) this.writeTrailer(sid, prefix);
  }

  /** Cancels every stream on the connection, and those waiting for it. */
  cancelAll(reason: string): void {
    for (const s of [...this.streams.values(), ...(this.waiting ?? [])]) s.cancel(reason);
  }

  /** Closes once the last stream is done (at once when there is none). */
  drain(): void {
    this.draining = true;
    if (this.streams.size === 0 && (this.waiting?.length ?? 0) === 0) this.fail(unavailable('client is closed'), true);
  }

  /**
   * Breaks the connection: every stream on it fails with `err`. Idempotent.
   * A graceful end (no streams left: the client closed, idle) lets what was
   * written reach the server first.
   */
  fail(err: RpcError, graceful = false): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.unrefTimer);
    clearTimeout(this.idleTimer);
    this.writer.flush();
    this.writer.close();
    this.reader.clear();
    if (graceful) {
      // what is written still goes out, but a peer that does not read cannot keep the process alive
      this.socket.destroySoon();
      this.socket.unref();
    } else {
      this.socket.destroy();
    }
    const waiting = this.waiting;
    this.waiting = undefined;
    if (!this.open) {
      this.owner.connectFailed(this, err, waiting ?? []);
      return;
    }
    this.owner.closed(this);
    for (const s of [...this.streams.values()]) s.onConnectionError(err);
    this.streams.clear();
  }

  // --- FrameSink ---

  onFrame(f: FrameView): void {
    // Frames of streams we no longer know (ended, cancelled) are dropped, as Kitex does.
    this.streams.get(f.sid)?.onFrame(f);
  }

  onOversized(sid: number, bytes: number): void {
    this.streams.get(sid)?.onOversized(bytes);
  }

  // --- socket events ---

  private onConnect(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    if (this.dead) return;
    this.open = true;
    this.owner.opened(this);
    this.owner.onConnect?.(describeConnection(this.socket, this.hostPort, 'ttstream'));
    const waiting = this.waiting!;
    this.waiting = undefined;
    for (const s of waiting) if (!s.finished) s.begin(this);
    if (this.streams.size === 0) this.idle();
  }

  private onData(chunk: Uint8Array): void {
    if (this.dead) return;
    try {
      this.reader.push(chunk, true);
    } catch (e) {
      this.fail(e instanceof RpcError ? e : protocolError(String(e)));
    }
  }

  private busy(): void {
    this.idleSince = -1;
    if (!this.referenced) {
      this.socket.ref();
      this.referenced = true;
    }
  }

  private idle(): void {
    if (this.draining) {
      this.fail(unavailable('client is closed'), true);
      return;
    }
    this.idleSince = Date.now();
    if (this.referenced && this.unrefTimer === undefined) {
      this.unrefTimer = setTimeout(() => {
        this.unrefTimer = undefined;
        if (this.idleSince >= 0 && !this.dead) {
          this.socket.unref();
          this.referenced = false;
        }
      }, UNREF_IDLE_AFTER_MS);
      this.unrefTimer.unref();
    }
    if (this.owner.idleTimeoutMs > 0 && this.idleTimer === undefined) this.armIdleTimer(this.owner.idleTimeoutMs);
  }

  /** One timer per idle stretch, re-checked when it fires. */
  private armIdleTimer(ms: number): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.dead || this.idleSince < 0) return;
      const left = this.idleSince + this.owner.idleTimeoutMs - Date.now();
      if (left > 0) this.armIdleTimer(left);
      else this.fail(unavailable('idle timeout'), true);
    }, ms);
    this.idleTimer.unref();
  }
}
