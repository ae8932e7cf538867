/**
 * Exit codes of the idlcall command. RPC errors follow grpcurl: 64 + the
 * gRPC status code, so scripts can tell NOT_FOUND (69) from
 * DEADLINE_EXCEEDED (68) without parsing text. Codes outside gRPC's 0–16
 * (Kitex's own, a server's invention) exit as UNKNOWN (66): an exit status
 * is one byte, and 64 + 192 would wrap to 0, a failure reading as success.
 */
import { Code, CodecError, DeclaredException, IdlError, RpcError, UsageError } from '../index.js';

/** Exit codes. */
export const Exit = {
  OK: 0,
  /** Bad IDL, JSON, flags or files: nothing (or nothing more) was sent. */
  USAGE: 1,
  /** A Thrift method answered with one of its declared (`throws`) exceptions; its JSON is on stdout. */
  DECLARED_EXCEPTION: 3,
  /** `bench`: the run finished, but more calls failed than --max-error-rate allows. */
  BENCH_FAILED: 2,
  /** Added to the gRPC status code of an RpcError. */
  RPC_BASE: 64,
} as const;

/** The exit code for a gRPC status code: 64 + code for 1–16, 66 (UNKNOWN) for anything else. */
export function rpcExitCode(code: number): number {
  return Exit.RPC_BASE + (Number.isInteger(code) && code >= 1 && code <= Code.UNAUTHENTICATED ? code : Code.UNKNOWN);
}

/** A mistake on the command line; the message says what to fix. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** The exit code for an error that ended a command. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof RpcError) return rpcExitCode(err.code);
  if (err instanceof DeclaredException) return Exit.DECLARED_EXCEPTION;
  return Exit.USAGE;
}

/** True for errors whose message is meant for the user as is (no stack trace). */
export function isExpectedError(err: unknown): boolean {
  return (
    err instanceof CliUsageError ||
    err instanceof UsageError ||
    err instanceof IdlError ||
    err instanceof CodecError ||
    err instanceof RpcError ||
    err instanceof DeclaredException ||
    (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && 'syscall' in err)
  );
}
