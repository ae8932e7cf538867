import { CodecError } from '../../errors/codec-error.js';
import { DeclaredException } from '../../errors/declared-exception.js';
import type { ThriftFunction, ThriftStruct } from '../../idl-parser/thrift/descriptor.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { BinaryReader } from './binary-reader.js';
import { BinaryWriter } from './binary-writer.js';
import { CompactReader } from './compact-reader.js';
import { CompactWriter } from './compact-writer.js';
import { defaultJson } from './defaults.js';
import { JsonToThrift } from './json-to-thrift.js';
import { ObjectToThrift } from './object-to-thrift.js';
import { F_WRITE_DEFAULTS, resolveOptions, type ResolvedOptions, type ThriftJsonOptions } from './options.js';
import { withSegment } from './path.js';
import { structPlan, type FieldPlan } from './plan.js';
import type { ThriftReader, ThriftWriter } from './protocol.js';
import { ThriftToJson } from './thrift-to-json.js';
import { ThriftToObject } from './thrift-to-object.js';
import { Kind, TType } from './types.js';

/**
 * JSON text (or plain objects) ⇄ Thrift binary/compact for descriptors loaded
 * at run time, with Kitex's JSONThriftGeneric mapping. One instance keeps one
 * output buffer, one JSON scanner and one reader per protocol, reused across
 * calls (calls are synchronous, so sharing is safe). Struct plans are compiled
 * on first use and cached per descriptor.
 */
export class ThriftCodec {
  private readonly defaults: ThriftJsonOptions;
  private readonly resolvedDefaults: ResolvedOptions;
  private readonly out = new ByteWriter(4096);
  private readonly bw = new BinaryWriter();
  private readonly cw = new CompactWriter();
  private readonly br = new BinaryReader();
  private readonly cr = new CompactReader();
  private readonly j2t = new JsonToThrift();
  private readonly t2j = new ThriftToJson();
  private readonly o2t = new ObjectToThrift();
  private readonly t2o = new ThriftToObject();

  /** `defaults` apply to every call; per-call options override them. */
  constructor(defaults: ThriftJsonOptions = {}) {
    this.defaults = { ...defaults };
    this.resolvedDefaults = resolveOptions(this.defaults, undefined);
  }

  private opts(opts: ThriftJsonOptions | undefined): ResolvedOptions {
    return opts === undefined ? this.resolvedDefaults : resolveOptions(this.defaults, opts);
  }

  private writerFor(o: ResolvedOptions, w: ByteWriter): ThriftWriter {
    const tw: ThriftWriter = o.compact ? this.cw : this.bw;
    tw.begin(w);
    return tw;
  }

  private readerFor(o: ResolvedOptions, bytes: Uint8Array): ThriftReader {
    const r: ThriftReader = o.compact ? this.cr : this.br;
    r.reset(bytes, 0, bytes.length);
    return r;
  }

  private prepJ2t(o: ResolvedOptions, w: ByteWriter, json: string): JsonToThrift {
    const j = this.j2t;
    j.w = this.writerFor(o, w);
    j.flags = o.flags;
    j.compact = o.compact;
    j.s.reset(json);
    return j;
  }

  private prepT2j(o: ResolvedOptions, bytes: Uint8Array): ThriftToJson {
    const t = this.t2j;
    t.r = this.readerFor(o, bytes);
    t.flags = o.flags;
    return t;
  }

  /** Runs an encode into `w`; on failure nothing stays written. Returns the byte count. */
  private into(w: ByteWriter, run: () => void): number {
    const start = w.pos;
    try {
      run();
    } catch (e) {
      w.pos = start;
      throw e;
    }
    return w.pos - start;
  }

  /**
   * Encodes a JSON document as a bare struct (gRPC streaming messages,
   * provider.encodeJson). The result may be a view on a pooled buffer.
   */
  encodeJson(type: ThriftStruct, json: string, opts?: ThriftJsonOptions): Uint8Array {
    return copyOut(this.encodeJsonScratch(type, json, opts));
  }

  /**
   * Like `encodeJson`, but the result is a view on this codec's own output
   * buffer, overwritten by its next encode: for callers that copy the bytes
   * at once (a transport gathering frames), it saves an allocation and a copy
   * per message.
   */
  encodeJsonView(type: ThriftStruct, json: string, opts?: ThriftJsonOptions): Uint8Array {
    return this.encodeJsonScratch(type, json, opts).written();
  }

  private encodeJsonScratch(type: ThriftStruct, json: string, opts: ThriftJsonOptions | undefined): ByteWriter {
    const o = this.opts(opts);
    const w = this.out.reset();
    const sp = structPlan(type);
    try {
      this.prepJ2t(o, w, json).struct(sp);
    } catch (e) {
      w.pos = 0;
      throw e;
    }
    return w;
  }

  /** Like `encodeJson`, appending to `writer`; returns the number of bytes written. */
  encodeJsonInto(writer: ByteWriter, type: ThriftStruct, json: string, opts?: ThriftJsonOptions): number {
    const o = this.opts(opts);
    const sp = structPlan(type);
    return this.into(writer, () => this.prepJ2t(o, writer, json).struct(sp));
  }

  /** Decodes a bare struct to JSON text. */
  decodeToJson(type: ThriftStruct, bytes: Uint8Array, opts?: ThriftJsonOptions): string {
    return this.prepT2j(this.opts(opts), bytes).struct(structPlan(type));
  }

  /**
   * Encodes the args struct from the request JSON: with one argument the JSON
   * is that argument's value; otherwise an object keyed by argument names
   * (`{}` for none).
   */
  encodeArgsJson(fn: ThriftFunction, json: string, opts?: ThriftJsonOptions): Uint8Array {
    const w = this.out.reset();
    this.encodeArgsJsonInto(w, fn, json, opts);
    return copyOut(w);
  }

  /** Like `encodeArgsJson`, appending to `writer`; returns the number of bytes written. */
  encodeArgsJsonInto(writer: ByteWriter, fn: ThriftFunction, json: string, opts?: ThriftJsonOptions): number {
    const o = this.opts(opts);
    const sp = structPlan(fn.argsStruct);
    if (sp.fields.length !== 1) return this.into(writer, () => this.prepJ2t(o, writer, json).struct(sp));
    const fp = sp.fields[0]!;
    return this.into(writer, () => {
      const j = this.prepJ2t(o, writer, json);
      j.w.structBegin();
      try {
        if (fp.type.kind === Kind.STRING && firstNonSpace(json) !== 34) {
          // Kitex: a string argument may be given as raw, unquoted text.
          j.w.fieldBegin(TType.STRING, fp.id);
          j.w.string(json);
        } else this.writeOne(j, fp, o);
      } catch (e) {
        throw withSegment(e, rootName(fp));
      }
      j.w.structEnd();
    });
  }

  /** Writes one field whose value is the whole JSON document (`null` = absent). */
  private writeOne(j: JsonToThrift, fp: FieldPlan, o: ResolvedOptions): void {
    if (j.s.readNullIf()) {
      j.s.expectEnd();
      if (fp.optional) return;
      if ((o.flags & F_WRITE_DEFAULTS) === 0) {
        if (fp.required) throw new CodecError('', 'required argument is missing');
        return;
      }
      j.writeDefault(fp);
      return;
    }
    j.writeFieldDoc(fp);
  }

  /**
   * Decodes a result struct: returns the `success` JSON, `undefined` for void,
   * or throws `DeclaredException` when a declared exception came back.
   */
  decodeResultToJson(fn: ThriftFunction, bytes: Uint8Array, opts?: ThriftJsonOptions): string | undefined {
    const o = this.opts(opts);
    const sp = structPlan(fn.resultStruct);
    const t = this.prepT2j(o, bytes);
    const r = t.r;
    let success: string | undefined;
    let exc: FieldPlan | undefined;
    let excJson = '';
    try {
      r.structBegin();
      for (;;) {
        const tt = r.fieldBegin();
        if (tt === 0) break;
        const fp = sp.byId(r.fieldId);
        if (fp === undefined || fp.type.ttype !== tt) {
          r.skip(tt, 1);
          continue;
        }
        try {
          const v = t.valueText(fp.type, fp.jsConv);
          if (fp.id === 0) success = v;
          else {
            exc = fp;
            excJson = v;
          }
        } catch (e) {
          throw withSegment(e, rootName(fp));
        }
      }
      r.structEnd();
      if (r.pos !== r.end) throw new CodecError(sp.name, `${r.end - r.pos} bytes after the end of the result`, r.pos);
    } catch (e) {
      // Value errors already carry their root; struct-level ones get the result struct's name.
      throw e instanceof CodecError && e.path !== '' ? e : withSegment(e, sp.name);
    }
    if (exc !== undefined) throw new DeclaredException(typeName(fn, exc), exc.name, exc.id, excJson);
    if (fn.returnType.kind === 'void') return undefined;
    if (success === undefined) throw new CodecError(sp.name, 'result carries neither success nor a declared exception');
    return success;
  }

  /** Server side: decodes the args struct to the request JSON (the inverse of `encodeArgsJson`). */
  decodeArgsToJson(fn: ThriftFunction, bytes: Uint8Array, opts?: ThriftJsonOptions): string {
    const o = this.opts(opts);
    const sp = structPlan(fn.argsStruct);
    const t = this.prepT2j(o, bytes);
    if (sp.fields.length !== 1) return t.struct(sp);
    const fp = sp.fields[0]!;
    const r = t.r;
    let value: string | undefined;
    try {
      r.structBegin();
      for (;;) {
        const tt = r.fieldBegin();
        if (tt === 0) break;
        if (r.fieldId !== fp.id || tt !== fp.type.ttype) {
          r.skip(tt, 1);
          continue;
        }
        value = t.valueText(fp.type, fp.jsConv);
      }
      r.structEnd();
      if (r.pos !== r.end) throw new CodecError('', `${r.end - r.pos} bytes after the end of the arguments`, r.pos);
      if (value === undefined) {
        if (fp.required) throw new CodecError('', 'required argument is missing', r.pos);
        value = fp.field.defaultValue !== undefined || (!fp.optional && o.flags & F_WRITE_DEFAULTS) ? defaultJson(fp, o.flags) : 'null';
      }
    } catch (e) {
      throw withSegment(e, rootName(fp));
    }
    return value;
  }

  /** Server side: encodes a result struct carrying `success` (ignored for void; `null`/undefined = no success). */
  encodeResultJson(fn: ThriftFunction, successJson: string | undefined, opts?: ThriftJsonOptions): Uint8Array {
    const fp = fn.returnType.kind === 'void' || successJson === undefined ? undefined : structPlan(fn.resultStruct).byId(0);
    return this.encodeResultField(this.opts(opts), fp, successJson ?? 'null', true);
  }

  /** Server side: encodes a result struct carrying a declared exception, chosen by field name or type name. */
  encodeExceptionJson(fn: ThriftFunction, exceptionTypeOrFieldName: string, json: string, opts?: ThriftJsonOptions): Uint8Array {
    const o = this.opts(opts);
    const sp = structPlan(fn.resultStruct);
    const fp = sp.fields.find(
      (f) =>
        f.id !== 0 &&
        (f.name === exceptionTypeOrFieldName ||
          (f.type.struct !== null && (f.type.struct.name === exceptionTypeOrFieldName || f.type.struct.fullName === exceptionTypeOrFieldName))),
    );
    if (fp === undefined) throw new CodecError(sp.name, `${fn.name} declares no exception "${exceptionTypeOrFieldName}"`);
    return this.encodeResultField(o, fp, json, false);
  }

  /** A result struct holding field `fp` (none: empty) read from `json`; `null` leaves it out where `nullIsUnset`. */
  private encodeResultField(o: ResolvedOptions, fp: FieldPlan | undefined, json: string, nullIsUnset: boolean): Uint8Array {
    const w = this.out.reset();
    this.into(w, () => {
      const j = this.prepJ2t(o, w, json);
      j.w.structBegin();
      if (fp !== undefined && !(nullIsUnset && j.s.readNullIf())) {
        try {
          j.writeFieldDoc(fp);
        } catch (e) {
          throw withSegment(e, rootName(fp));
        }
      }
      j.w.structEnd();
    });
    return copyOut(w);
  }

  /** Encodes a plain object as a bare struct (i64 as bigint, binary as Uint8Array, maps as Map or object). */
  encodeObject(type: ThriftStruct, value: unknown, opts?: ThriftJsonOptions): Uint8Array {
    const o = this.opts(opts);
    const w = this.out.reset();
    const e = this.o2t;
    e.w = this.writerFor(o, w);
    e.flags = o.flags;
    e.compact = o.compact;
    this.into(w, () => e.struct(structPlan(type), value));
    return copyOut(w);
  }

  /** Decodes a bare struct to a plain object (i64 as bigint, binary as Uint8Array, maps as Map). */
  decodeToObject(type: ThriftStruct, bytes: Uint8Array, opts?: ThriftJsonOptions): Record<string, unknown> {
    const o = this.opts(opts);
    const d = this.t2o;
    d.r = this.readerFor(o, bytes);
    d.flags = o.flags;
    return d.struct(structPlan(type));
  }
}

/**
 * A copy of what `w` holds. Small results come from Node's pooled allocator
 * (a Buffer view on a shared slab): allocating a fresh ArrayBuffer per
 * message costs more than encoding a small struct. The result is a plain
 * Uint8Array; for small sizes its `.buffer` is a shared slab (use byteOffset).
 */
function copyOut(w: ByteWriter): Uint8Array {
  const n = w.pos;
  const pooled = Buffer.allocUnsafe(n);
  // A plain Uint8Array view (not a Buffer), so callers see the documented type.
  const out = new Uint8Array(pooled.buffer, pooled.byteOffset, n);
  const b = w.buf;
  if (n <= 64) for (let i = 0; i < n; i++) out[i] = b[i]!;
  else out.set(b.subarray(0, n));
  return out;
}

function firstNonSpace(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return c;
  }
  return -1;
}

/** Error-path root for a single argument/result field: the struct type's name, else the field's name. */
function rootName(fp: FieldPlan): string {
  return fp.type.struct !== null ? fp.type.struct.name : fp.name;
}

function typeName(fn: ThriftFunction, fp: FieldPlan): string {
  const s = fp.type.struct;
  if (s === null) return fp.type.desc;
  return s.file === fn.service.file ? s.name : s.fullName;
}

