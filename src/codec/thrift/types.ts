/**
 * Wire type ids of the Thrift binary protocol (`TType`), shared by the
 * protocol readers/writers and the plans. The compact protocol has its own
 * ids; its reader and writer translate at the boundary so the transcoders
 * only ever see these.
 */
export const TType = {
  STOP: 0,
  VOID: 1,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;
/** One of the `TType` values. */
export type TType = (typeof TType)[keyof typeof TType];

/**
 * What a value is in JSON terms (finer than the wire type: `string` and
 * `binary` share a wire type, enums are i32 on the wire).
 */
export const Kind = {
  BOOL: 0,
  BYTE: 1,
  I16: 2,
  I32: 3,
  I64: 4,
  DOUBLE: 5,
  STRING: 6,
  BINARY: 7,
  UUID: 8,
  ENUM: 9,
  LIST: 10,
  SET: 11,
  MAP: 12,
  STRUCT: 13,
} as const;
/** One of the `Kind` values. */
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Human-readable wire type names for error messages. */
export function ttypeName(t: number): string {
  switch (t) {
    case TType.STOP:
      return 'STOP';
    case TType.VOID:
      return 'VOID';
    case TType.BOOL:
      return 'BOOL';
    case TType.BYTE:
      return 'BYTE';
    case TType.DOUBLE:
      return 'DOUBLE';
    case TType.I16:
      return 'I16';
    case TType.I32:
      return 'I32';
    case TType.I64:
      return 'I64';
    case TType.STRING:
      return 'STRING';
    case TType.STRUCT:
      return 'STRUCT';
    case TType.MAP:
      return 'MAP';
    case TType.SET:
      return 'SET';
    case TType.LIST:
      return 'LIST';
    case TType.UUID:
      return 'UUID';
    default:
      return `type ${t}`;
  }
}

/** Maximum nesting of structs and containers, both directions. */
export const MAX_DEPTH = 64;
