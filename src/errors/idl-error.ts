/** Where in an IDL file something went wrong (1-based line and column). */
export interface IdlLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * A syntax or resolution error in a `.proto` or `.thrift` file. The message is
 * prefixed with `file:line:col` so it can be printed as is.
 */
export class IdlError extends Error {
  override readonly name = 'IdlError';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The message without the location prefix. */
  readonly reason: string;

  constructor(location: IdlLocation, reason: string) {
    super(`${location.file}:${location.line}:${location.column}: ${reason}`);
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
    this.reason = reason;
  }
}
