/**
 * The shape of a call. The four gRPC shapes use Kitex's names; `pingpong` is a
 * Thrift method without `streaming.mode` (Kitex's default), which can travel
 * over gRPC (as unary) or over TTHeader/Framed/Buffered.
 */
export type CallMode = 'unary' | 'client' | 'server' | 'bidirectional' | 'pingpong';

/** Human words for a mode, for error messages. */
export function describeMode(mode: CallMode): string {
  switch (mode) {
    case 'unary':
      return 'unary';
    case 'client':
      return 'client streaming';
    case 'server':
      return 'server streaming';
    case 'bidirectional':
      return 'bidirectional streaming';
    case 'pingpong':
      return 'ping-pong';
  }
}
