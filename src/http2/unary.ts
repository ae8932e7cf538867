import { Code, RpcError } from '../errors/index.js';
import type { GrpcChannel } from './channel.js';
import type { CallOptions } from './client-call.js';

/** What a unary call returns: the one response message and the response metadata. */
export interface UnaryResult {
  message: Uint8Array;
  headers: Record<string, string | string[]>;
  trailers: Record<string, string | string[]>;
}

/**
 * One request, one response. Rejects with RpcError for a non-OK status, and with
 * INTERNAL when the server sends no message or more than one.
 */
export async function unaryCall(channel: GrpcChannel, opts: CallOptions, message: Uint8Array): Promise<UnaryResult> {
  const call = channel.call(opts);
  // The send promise only matters if the call failed, which recv() reports anyway.
  call.send(message).catch(noop);
  call.closeSend();
  const first = await call.recv();
  if (first === undefined) throw new RpcError(Code.INTERNAL, 'server sent no response message for a unary call');
  const next = await call.recv();
  if (next !== undefined) {
    call.cancel('unary call got more than one response');
    throw new RpcError(Code.INTERNAL, 'server sent more than one response message for a unary call');
  }
  const [headers, trailers] = await Promise.all([call.headers, call.trailers]);
  return { message: first, headers, trailers };
}

function noop(): void {}
