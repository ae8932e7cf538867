import { Code } from '../errors/index.js';

/**
 * Maps an HTTP status to a gRPC code, for responses that carry no grpc-status
 * (grpc/grpc doc/http-grpc-status-mapping.md): 400→INTERNAL, 401→UNAUTHENTICATED,
 * 403→PERMISSION_DENIED, 404→UNIMPLEMENTED, 429/502/503/504→UNAVAILABLE, others UNKNOWN.
 * 1xx are informational headers a client should have skipped, hence INTERNAL.
 */
export function codeFromHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return Code.INTERNAL;
    case 401:
      return Code.UNAUTHENTICATED;
    case 403:
      return Code.PERMISSION_DENIED;
    case 404:
      return Code.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.UNAVAILABLE;
    default:
      return status >= 100 && status < 200 ? Code.INTERNAL : Code.UNKNOWN;
  }
}

/**
 * Maps an HTTP/2 RST_STREAM error code received from the peer to a gRPC code
 * (grpc/grpc doc/PROTOCOL-HTTP2.md "Errors"): REFUSED_STREAM is retryable
 * (UNAVAILABLE), CANCEL is CANCELLED, ENHANCE_YOUR_CALM is RESOURCE_EXHAUSTED,
 * INADEQUATE_SECURITY is PERMISSION_DENIED; the rest (including NO_ERROR without a
 * status) are INTERNAL.
 */
export function codeFromRstCode(rst: number): number {
  switch (rst) {
    case 0x7: // REFUSED_STREAM
      return Code.UNAVAILABLE;
    case 0x8: // CANCEL
      return Code.CANCELLED;
    case 0xb: // ENHANCE_YOUR_CALM
      return Code.RESOURCE_EXHAUSTED;
    case 0xc: // INADEQUATE_SECURITY
      return Code.PERMISSION_DENIED;
    default:
      return Code.INTERNAL;
  }
}
