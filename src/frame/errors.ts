/** Small constructors for the transport's own failures, so messages stay uniform. */
import { RpcError, Code } from '../errors/index.js';

/** Malformed or unexpected bytes from the peer (the connection is unusable after it). */
export function protocolError(message: string, cause?: unknown): RpcError {
  return new RpcError(Code.INTERNAL, `protocol error: ${message}`, cause === undefined ? {} : { cause });
}

/** A peer frame or header larger than we accept. */
export function limitError(message: string): RpcError {
  return new RpcError(Code.RESOURCE_EXHAUSTED, message);
}

/** Connection-level failure (refused, reset, closed mid-reply). */
export function unavailable(message: string, cause?: unknown): RpcError {
  return new RpcError(Code.UNAVAILABLE, message, cause === undefined ? {} : { cause });
}
