import type { Metadata } from '../errors/rpc-error.js';

/**
 * One call on the wire as the stream classes drive it, whichever transport
 * carries it: a gRPC call (`src/http2`) or a TTHeader Streaming stream
 * (`src/ttstream`) both have this shape.
 */
export interface TransportCall {
  /** Sends one message; resolves when the transport can take more (back-pressure). */
  send(message: Uint8Array): Promise<void>;
  /**
   * Like `send`, for bytes that are overwritten once it returns (a codec's
   * scratch buffer): the transport copies what it keeps. Absent where the
   * transport holds on to sent bytes (gRPC).
   */
  sendView?(message: Uint8Array): Promise<void>;
  /** Half-closes the request side. */
  closeSend(): void;
  /** The next message; undefined at a clean end; rejects with an RpcError otherwise. */
  recv(): Promise<Uint8Array | undefined>;
  /** Response headers; `{}` when the call ended without any. */
  readonly headers: Promise<Metadata>;
  /** Response trailers; resolve at the end, also after an error. */
  readonly trailers: Promise<Metadata>;
  /** Cancels: the peer is told, pending operations reject with CANCELLED. */
  cancel(reason?: string): void;
}
