import { Code } from '../../errors/status-code.js';
import { RpcError } from '../../errors/rpc-error.js';
import { messageOf } from '../../errors/message-of.js';
import type { ServerStatus } from '../../http2/index.js';

/** The status a handler's error ends its call with: an RpcError's own, otherwise UNKNOWN with the message. Never throws. */
export function statusOf(err: unknown): ServerStatus {
  try {
    if (err instanceof RpcError) return { code: err.code, message: err.rawMessage, details: err.details };
  } catch {
    // instanceof throws on a revoked proxy: no RpcError, and an error path must not fail in turn
  }
  return { code: Code.UNKNOWN, message: messageOf(err) };
}
