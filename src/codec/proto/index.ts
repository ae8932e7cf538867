import type { ProtoField, ProtoMessage } from '../../idl-parser/proto/descriptor.js';
import { ByteWriter } from '../bytes/byte-writer.js';
import { BinaryToBinary } from './binary-to-binary.js';
import { BinaryToJson } from './binary-to-json/message.js';
import { JsonToBinary } from './json-to-binary/message.js';
import { Extensions } from './extensions.js';
import { convertMessage, objectToJson, type Int64Output } from './object.js';
import { resolveOptions, type ProtoJsonOptions, type ResolvedOptions } from './options.js';
import { planOf, type MessagePlan } from './plan.js';

export type { ProtoJsonOptions } from './options.js';
export type { Int64Output } from './object.js';

const SLAB_SIZE = 32 * 1024;
const SLAB_RESERVE = 1024;
/** The buffer for large messages is kept up to this size (a one-off huge message does not pin more). */
const LARGE_KEEP = 4 * 1024 * 1024;

/**
 * Finds message types by full name, for `google.protobuf.Any`, and (when it can) the
 * extensions loaded for a message, for `[pkg.ext]` keys and extension fields on the
 * wire. A `ProtoRegistry` does both.
 */
export interface ProtoTypeResolver {
  findMessage(fullName: string): ProtoMessage | undefined;
  extensionsOf?(messageFullName: string): readonly ProtoField[];
}

/** Options of the object API: the JSON options plus how 64-bit integers come out. */
export interface ProtoObjectOptions extends Omit<ProtoJsonOptions, 'int64As'> {
  /** 64-bit integers in decoded objects: `bigint` (default), decimal `string`, or `number` (may round). */
  int64As?: Int64Output;
}

/**
 * JSON text ⇄ protobuf binary for messages described by parsed descriptors.
 * One instance reuses its output buffer and scanner across calls (it is not
 * reentrant; use one per concurrent user, which in Node means one per module).
 */
export class ProtoCodec {
  private slab = new ByteWriter(SLAB_SIZE);
  /** The slab's array as made and its memory, kept: reading a typed array's `.buffer` is a call into the engine. */
  private slabBuf = this.slab.buf;
  private slabMemory: ArrayBufferLike = this.slabBuf.buffer;
  private readonly large = new ByteWriter(SLAB_SIZE);
  private readonly enc = new JsonToBinary();
  private readonly dec = new BinaryToJson();
  private readonly bin = new BinaryToBinary();
  private resolvedDefaults: ResolvedOptions | undefined;
  /** The last type's plan: a stream's messages are one type, and this skips the plan table per message. */
  private lastType: ProtoMessage | undefined;
  private lastPlan: MessagePlan | undefined;

  constructor(
    resolver?: ProtoTypeResolver,
    private readonly defaults?: ProtoJsonOptions,
  ) {
    this.enc.resolver = resolver;
    this.dec.resolver = resolver;
    if (resolver?.extensionsOf !== undefined) {
      this.enc.ext = this.dec.ext = this.bin.ext = new Extensions({ extensionsOf: resolver.extensionsOf.bind(resolver) });
    }
  }

  /** JSON text → protobuf bytes (a fresh copy). Throws `CodecError` with the field path. */
  encodeJson(type: ProtoMessage, json: string, opts?: ProtoJsonOptions): Uint8Array {
    if (json.length > SLAB_SIZE / 2) {
      // Large: encoded into a buffer kept for such messages, then copied out at its
      // exact size (growing a fresh buffer by doublings cost more than the copy).
      const big = this.large.reset(LARGE_KEEP);
      this.encodeJsonInto(big, type, json, opts);
      return big.buf.slice(0, big.pos);
    }
    // Results are carved from a slab, like Node's Buffer pool: no copy per call.
    // Each result is a view the caller owns; the slab is never written twice.
    const w = this.slab;
    const start = w.pos;
    this.encodeJsonInto(w, type, json, opts);
    // The constructor, not subarray(): subarray looks up the species constructor on every call.
    const buf = w.buf;
    if (buf === this.slabBuf) {
      const out = new Uint8Array(this.slabMemory, buf.byteOffset + start, w.pos - start);
      if (w.pos > buf.length - SLAB_RESERVE) this.newSlab(); // nearly full
      else w.pos = (w.pos + 7) & ~7;
      return out;
    }
    // Grown (by this call, or by one that failed after growing it): the result owns that buffer now.
    const out = new Uint8Array(buf.buffer, buf.byteOffset + start, w.pos - start);
    this.newSlab();
    return out;
  }

  private newSlab(): void {
    this.slab = new ByteWriter(SLAB_SIZE);
    this.slabBuf = this.slab.buf;
    this.slabMemory = this.slabBuf.buffer;
  }

  /** Encodes at writer.pos (so a transport can reserve a prefix first); returns bytes written. */
  encodeJsonInto(writer: ByteWriter, type: ProtoMessage, json: string, opts?: ProtoJsonOptions): number {
    const o = opts === undefined && this.defaults === undefined ? undefined : resolveOptions(this.defaults, opts);
    this.enc.ignoreUnknown = o !== undefined && o.ignoreUnknown;
    this.enc.plainWkt = o !== undefined && o.kitex;
    this.enc.kitex = o !== undefined && o.kitex;
    this.enc.keepUnknown = o !== undefined && o.keepUnknown;
    const start = writer.pos;
    this.enc.encode(writer, this.planOf(type), json);
    return writer.pos - start;
  }

  private planOf(type: ProtoMessage): MessagePlan {
    if (type !== this.lastType) {
      this.lastPlan = planOf(type);
      this.lastType = type;
    }
    return this.lastPlan!;
  }

  /** Protobuf bytes → JSON text. Throws `CodecError` with the field path. */
  decodeToJson(type: ProtoMessage, bytes: Uint8Array, opts?: ProtoJsonOptions): string {
    const o = opts === undefined ? (this.resolvedDefaults ??= resolveOptions(this.defaults, undefined)) : resolveOptions(this.defaults, opts);
    const d = this.dec;
    d.int64AsString = o.int64AsString;
    d.enumNames = o.enumNames;
    d.protoNames = o.protoNames;
    d.emitDefaults = o.emitDefaults;
    d.kitex = o.kitex;
    d.keepUnknown = o.keepUnknown;
    return d.decode(this.planOf(type), bytes);
  }

  /**
   * Protobuf bytes → the same message as canonical protobuf bytes (a fresh copy), in
   * one pass without JSON: checked as `decodeToJson` checks it, then written as a
   * protobuf runtime writes a parsed message (see `BinaryToBinary`). Fields the
   * descriptor does not know are dropped unless `keepUnknownFields`. Throws
   * `CodecError` (stage `parse`) with the field path.
   */
  transcode(type: ProtoMessage, bytes: Uint8Array, opts?: { keepUnknownFields?: boolean }): Uint8Array {
    const w = this.large.reset(LARGE_KEEP);
    this.bin.keepUnknown = (opts?.keepUnknownFields ?? this.defaults?.keepUnknownFields) === true;
    this.bin.transcode(w, planOf(type), bytes);
    return w.buf.slice(0, w.pos);
  }

  /** A plain object → protobuf bytes. 64-bit values may be bigint, `long` Longs, numbers or strings; bytes Uint8Array or base64. */
  encodeObject(type: ProtoMessage, value: unknown, opts?: ProtoJsonOptions): Uint8Array {
    return this.encodeJson(type, objectToJson(value), opts);
  }

  /** Protobuf bytes → a plain object (64-bit as bigint unless `int64As` says otherwise; bytes as Uint8Array). */
  decodeToObject(type: ProtoMessage, bytes: Uint8Array, opts?: ProtoObjectOptions): Record<string, unknown> {
    const { int64As, ...rest } = opts ?? {};
    const json = this.decodeToJson(type, bytes, { ...rest, int64As: 'string' });
    const parsed: unknown = JSON.parse(json);
    const plan = planOf(type);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const o = resolveOptions(this.defaults, opts as ProtoJsonOptions | undefined);
      convertMessage(plan, parsed as Record<string, unknown>, { int64: int64As ?? 'bigint', protoNames: o.protoNames, plainWkt: o.kitex, ext: this.dec.ext });
      return parsed as Record<string, unknown>;
    }
    // Well-known types with a non-object JSON form (Timestamp, wrappers…) come back under "value".
    return { value: parsed };
  }
}
