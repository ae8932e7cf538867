import { Code } from '../../errors/status-code.js';
import { RpcError } from '../../errors/rpc-error.js';

/** Waits `ms`; resolves false at once if `signal` aborts first (then nothing more should start). */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The error of a call whose caller aborted it between attempts (as the transports word it). */
export function abortedError(signal: AbortSignal): RpcError {
  return new RpcError(Code.CANCELLED, 'call cancelled', { cause: signal.reason });
}
