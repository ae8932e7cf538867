/**
 * Where a codec failed. `parse`: the input is not a valid message of the type (JSON text
 * that does not fit the IDL, malformed wire bytes). `serialize`: the input was read, but
 * the message has no form in the output (a Duration or Timestamp out of range, a
 * FieldMask path that does not round-trip, a non-finite number in a `Value`, an `Any`
 * whose type is unknown, output longer than a JavaScript string).
 */
export type CodecStage = 'parse' | 'serialize';

/**
 * A value that cannot be encoded or bytes that cannot be decoded. `path` names
 * the field the problem is in, e.g. `Kitchen.inners[2].name`; the message is
 * prefixed with it. `stage` tells malformed input (`parse`) from valid input
 * without an output form (`serialize`), e.g. for `decodeToJson`: bad bytes, or
 * good bytes holding a Timestamp past year 9999.
 */
export class CodecError extends Error {
  override readonly name = 'CodecError';
  /** Field path from the root type, e.g. `Kitchen.inners[2].name`. */
  readonly path: string;
  /** The message without the path prefix. */
  readonly reason: string;
  /** Byte offset in the input (JSON text or wire bytes), when known. */
  readonly offset: number | undefined;
  /** `parse`: the input is malformed; `serialize`: it has no form in the output. */
  readonly stage: CodecStage;

  constructor(path: string, reason: string, offset?: number, stage: CodecStage = 'parse') {
    super(path ? `${path}: ${reason}` : reason);
    this.path = path;
    this.reason = reason;
    this.offset = offset;
    this.stage = stage;
  }
}
