import { IdlError } from '../../errors/idl-error.js';
import type { Pos } from './ast.js';

/** Raises an IdlError for `file` at `pos`. */
export function fail(file: string, pos: Pos, reason: string): never {
  throw new IdlError({ file, line: pos.line, column: pos.col }, reason);
}
