/**
 * A value that cannot be encoded or bytes that cannot be decoded. `path` names
 * the field the problem is in, e.g. `Kitchen.inners[2].name`; the message is
 * prefixed with it.
 */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  /** Field path from the root type, e.g. `Kitchen.inners[2].name`. */
  readonly path: string;
  /** The message without the path prefix. */
  readonly reason: string;
  /** Byte offset in the input (JSON text or wire bytes), when known. */
  readonly offset: number | undefined;

  constructor(path: string, reason: string, offset?: number) {
    super(path ? `${path}: ${reason}` : reason);
    this.path = path;
    this.reason = reason;
    this.offset = offset;
  }
}
