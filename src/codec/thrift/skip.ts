import { CodecError } from '../../errors/codec-error.js';
import type { ThriftReader } from './protocol.js';
import { MAX_DEPTH, TType } from './types.js';

/**
 * Skips one value of wire type `ttype` (an unknown field, or a known field
 * sent with the wrong type), checking lengths, counts, types and depth like
 * a real read so malformed data cannot hide inside a skipped field.
 */
export function skipValue(r: ThriftReader, ttype: number, depth: number): void {
  switch (ttype) {
    case TType.BOOL:
      r.bool();
      return;
    case TType.BYTE:
      r.byte();
      return;
    case TType.I16:
      r.i16();
      return;
    case TType.I32:
      r.i32();
      return;
    case TType.I64:
      r.i64();
      return;
    case TType.DOUBLE:
      r.double();
      return;
    case TType.STRING:
      r.bytesBegin();
      return;
    case TType.UUID:
      r.uuidBegin();
      return;
    case TType.STRUCT: {
      if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
      r.structBegin();
      for (;;) {
        const t = r.fieldBegin();
        if (t === TType.STOP) break;
        skipValue(r, t, depth + 1);
      }
      r.structEnd();
      return;
    }
    case TType.MAP: {
      if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
      const at = r.pos;
      const kt = r.mapBegin();
      const vt = r.valueType;
      const n = r.size;
      if (n > 0 && (!isValueType(kt) || !isValueType(vt))) throw new CodecError('', `invalid map types ${kt}/${vt}`, at);
      for (let i = 0; i < n; i++) {
        skipValue(r, kt, depth + 1);
        skipValue(r, vt, depth + 1);
      }
      return;
    }
    case TType.SET:
    case TType.LIST: {
      if (depth >= MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, r.pos);
      const at = r.pos;
      const et = r.listBegin();
      const n = r.size;
      if (n > 0 && !isValueType(et)) throw new CodecError('', `invalid element type ${et}`, at);
      for (let i = 0; i < n; i++) skipValue(r, et, depth + 1);
      return;
    }
    default:
      throw new CodecError('', `invalid wire type ${ttype}`, r.pos);
  }
}

/** True for wire types a value can have. */
export function isValueType(t: number): boolean {
  return t === 2 || t === 3 || t === 4 || t === 6 || t === 8 || (t >= 10 && t <= 16);
}
