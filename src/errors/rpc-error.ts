import { codeName } from './status-code.js';

/** One entry of `google.rpc.Status.details`: a type URL and the packed message bytes. */
export interface StatusDetail {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** Response metadata: header or trailer names (lower case) to their values. */
export type Metadata = Record<string, string | string[]>;

/** Options for {@link RpcError}. */
export interface RpcErrorInit {
  details?: readonly StatusDetail[];
  metadata?: Metadata;
  cause?: unknown;
}

/**
 * A call that ended with a non-OK status: a gRPC status from the peer, a
 * Thrift TApplicationException (code mapped, `thriftType` kept), or a local
 * failure (deadline, cancellation, broken connection, limits).
 */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  /** gRPC status code (see `Code`). */
  readonly code: number;
  /** The status message as the peer sent it (percent-decoded), without the code prefix. */
  readonly rawMessage: string;
  /** Decoded `grpc-status-details-bin` entries, if any. */
  readonly details: readonly StatusDetail[];
  /** Response headers and trailers received before the error, if any. */
  readonly metadata: Metadata;

  constructor(code: number, message: string, init: RpcErrorInit = {}) {
    super(`${codeName(code)}: ${message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.rawMessage = message;
    this.details = init.details ?? [];
    this.metadata = init.metadata ?? {};
  }
}
