/**
 * A call that cannot be made as asked, found before anything is sent: an
 * unknown service or method, a method called in the wrong shape (e.g.
 * `serverStreaming` on a client-streaming method), an unknown type name, or
 * options that contradict each other.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
