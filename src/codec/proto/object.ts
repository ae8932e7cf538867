import { encodeBase64 } from '../bytes/base64.js';
import { quoteJsonString } from '../json/quote.js';
import type { Extensions } from './extensions.js';
import { K, W, is64, subPlanOf, type FieldPlan, type MessagePlan } from './plan.js';

/*
 * The object API rides on the text API: objects are written as JSON text
 * (bigint and Long exactly, Uint8Array as base64), and decoded JSON is parsed
 * with 64-bit integers kept as strings, then converted field by field.
 */

/** How 64-bit integers come out of `decodeToObject`. */
export type Int64Output = 'bigint' | 'string' | 'number';

/** JSON text of a plain object for the encoder; bigint/Long exact, bytes as base64. */
export function objectToJson(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return quoteJsonString(v);
    case 'number':
      if (Number.isFinite(v)) return String(v);
      return v !== v ? '"NaN"' : v > 0 ? '"Infinity"' : '"-Infinity"';
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'object': {
      if (v === null) return 'null';
      if (v instanceof Uint8Array) return '"' + encodeBase64(v) + '"';
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + objectToJson(v[i]);
        return out + ']';
      }
      if (v instanceof Date) return quoteJsonString(v.toISOString());
      if (v instanceof Map) {
        let out = '{';
        let first = true;
        for (const [k, val] of v) {
          out += (first ? '' : ',') + quoteJsonString(String(k)) + ':' + objectToJson(val);
          first = false;
        }
        return out + '}';
      }
      if (isLong(v)) return v.toString();
      let out = '{';
      let first = true;
      for (const k of Object.keys(v)) {
        const val = (v as Record<string, unknown>)[k];
        if (val === undefined) continue;
        out += (first ? '' : ',') + quoteJsonString(k) + ':' + objectToJson(val);
        first = false;
      }
      return out + '}';
    }
    default:
      return 'null';
  }
}

function isLong(v: object): v is { toString(): string } {
  const o = v as { low?: unknown; high?: unknown; unsigned?: unknown };
  return typeof o.low === 'number' && typeof o.high === 'number' && typeof o.unsigned === 'boolean';
}

/** How decoded objects are converted: 64-bit output, key names, mapping, loaded extensions. */
export interface ConvertOptions {
  readonly int64: Int64Output;
  readonly protoNames: boolean;
  readonly plainWkt: boolean;
  readonly ext: Extensions | undefined;
}

/**
 * Converts a parsed JSON message (64-bit as decimal strings) in place: 64-bit
 * fields (extensions too, keyed `[pkg.ext]`) to the requested form, bytes (and
 * `$unknown`) to Uint8Array.
 */
export function convertMessage(plan: MessagePlan, obj: Record<string, unknown>, o: ConvertOptions): void {
  if (plan.wkt !== W.NONE && plan.wkt !== W.EMPTY && !o.plainWkt) return;
  const fields = plan.extendable ? (o.ext?.of(plan)?.all ?? plan.fields) : plan.fields;
  for (const f of fields) {
    const key = o.protoNames ? f.name : f.jsonName;
    const v = obj[key];
    if (v === undefined || v === null) continue;
    obj[key] = convertField(f, v, o);
  }
  // Unknown fields kept for pass-through (keepUnknownFields): base64 → bytes.
  const u = obj['$unknown'];
  if (typeof u === 'string') obj['$unknown'] = base64Bytes(u);
}

function base64Bytes(s: string): Uint8Array {
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function convertField(f: FieldPlan, v: unknown, o: ConvertOptions): unknown {
  if (f.isMap) {
    const m = v as Record<string, unknown>;
    const vf = f.mapValue!;
    for (const k of Object.keys(m)) m[k] = convertValue(vf, m[k], o);
    return m;
  }
  if (f.repeated) return (v as unknown[]).map((x) => convertValue(f, x, o));
  return convertValue(f, v, o);
}

function convertValue(f: FieldPlan, v: unknown, o: ConvertOptions): unknown {
  const kind = f.kind;
  if (is64(kind)) return convert64(v, o.int64);
  if (kind === K.BYTES && typeof v === 'string') return base64Bytes(v);
  if ((kind === K.MESSAGE || kind === K.GROUP) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
    // Messages, and (kitex mapping) well-known types in their plain message form.
    convertMessage(subPlanOf(f), v as Record<string, unknown>, o);
  } else if (kind === K.MESSAGE && subPlanOf(f).wkt === W.WRAPPER) {
    const inner = subPlanOf(f).fields[0]!;
    if (is64(inner.kind)) return convert64(v, o.int64);
    if (inner.kind === K.BYTES && typeof v === 'string') return base64Bytes(v);
  }
  return v;
}

function convert64(v: unknown, int64: Int64Output): unknown {
  if (typeof v !== 'string') return v;
  if (int64 === 'string') return v;
  if (int64 === 'number') return Number(v);
  return BigInt(v);
}
