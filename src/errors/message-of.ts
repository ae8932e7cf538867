import { RpcError } from './rpc-error.js';

/**
 * The message to report for anything thrown: an RpcError's own message, an
 * Error's message, or the value as text. Never throws, whatever was thrown
 * (a value whose `toString` throws, a revoked proxy…): an error path must not
 * fail in turn.
 */
export function messageOf(err: unknown): string {
  try {
    if (err instanceof RpcError) return err.rawMessage;
    if (err instanceof Error) return err.message;
    return String(err);
  } catch {
    return 'an unprintable value was thrown';
  }
}
