/**
 * Where in an IDL file something went wrong (1-based line and column). Line 0 means the
 * file has no text to point into (a descriptor read from a descriptor set or a reflection
 * answer): the message then starts with the file name alone.
 */
export interface IdlLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * A syntax or resolution error in a `.proto` or `.thrift` file (or in a descriptor set). The
 * message is prefixed with `file:line:col` (`file:` alone when there is no line) so it can be
 * printed as is.
 */
export class IdlError extends Error {
  override readonly name = 'IdlError';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(location: IdlLocation, reason: string) {
    super(location.line > 0 ? `${location.file}:${location.line}:${location.column}: ${reason}` : `${location.file}: ${reason}`);
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.reason = reason;
  }
}
