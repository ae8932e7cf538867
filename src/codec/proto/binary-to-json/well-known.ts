import { CodecError } from '../../../errors/codec-error.js';
import { readUtf8 } from '../../bytes/utf8.js';
import { int64ToNumber } from '../../bytes/varint.js';
import { formatJsonDouble, quoteJsonString } from '../../json/quote.js';
import { W, planOf, type MessagePlan } from '../plan.js';
import { prefixPath } from '../path.js';
import { MAX_DEPTH } from '../reader.js';
import { formatTimestamp } from '../well-known/timestamp.js';
import { formatDuration } from '../well-known/duration.js';
import { pathToJson } from '../well-known/field-mask.js';
import { UnknownFields } from './unknown-fields.js';
import { EMPTY, jsonStringFromUtf8, objectJson } from './json-text.js';

/** Well-known types with a JSON form of their own: Timestamp, Duration, wrappers, Struct/Value/ListValue, FieldMask, Any. */
export abstract class WellKnownTypes extends UnknownFields {
  // Defined by the layers above.
  protected abstract detached(plan: MessagePlan, bytes: Uint8Array, depth: number): string;
  protected abstract sub(plan: MessagePlan, end: number, depth: number): string;

  protected secondsNanos(wkt: number, end: number): string {
    const r = this.r;
    let seconds = 0;
    let nanos = 0;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === 0x08) {
        const lo = r.varint64();
        seconds = int64ToNumber(lo, r.hi, true);
      } else if (tag === 0x10) nanos = r.varint32() | 0;
      else r.skip(tag, 0);
    }
    const s = wkt === W.TIMESTAMP ? formatTimestamp(seconds, nanos) : formatDuration(seconds, nanos);
    if (s === undefined) {
      throw new CodecError('', `${wkt === W.TIMESTAMP ? 'Timestamp' : 'Duration'} out of range (seconds ${seconds}, nanos ${nanos})`, r.pos, 'serialize');
    }
    return '"' + s + '"';
  }

  protected wrapper(plan: MessagePlan, end: number): string {
    const r = this.r;
    const f = plan.fields[0]!;
    let j: string | undefined;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === f.tag) {
        try {
          j = this.scalar(f, f.kind);
        } catch (e) {
          throw prefixPath(e, 'value');
        }
      } else r.skip(tag, 0);
    }
    return j ?? this.defaultJson(f);
  }

  protected value(end: number, depth: number): string {
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    const r = this.r;
    let j = 'null';
    /** The struct_value or list_value occurrences since the kind last changed (they merge), as start/end pairs. */
    let spans: number[] | undefined;
    let spanTag = 0;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag !== spanTag) spanTag = 0;
      switch (tag) {
        case 0x08:
          r.varint32();
          j = 'null';
          break;
        case 0x11: {
          const v = r.double();
          if (!Number.isFinite(v)) throw new CodecError('number_value', `${v} cannot be written in a google.protobuf.Value`, r.pos, 'serialize');
          j = formatJsonDouble(v);
          break;
        }
        case 0x1a: {
          const e = r.lengthEnd();
          const s = jsonStringFromUtf8(r.buf, r.pos, e);
          if (s === undefined) throw new CodecError('string_value', 'invalid UTF-8 in string', r.pos);
          r.pos = e;
          j = s;
          break;
        }
        case 0x20: {
          const lo = r.varint64();
          j = lo !== 0 || r.hi !== 0 ? 'true' : 'false';
          break;
        }
        case 0x2a:
        case 0x32: {
          const at = r.pos;
          const wkt = tag === 0x2a ? W.STRUCT : W.LIST;
          const e = r.lengthEnd();
          const start = r.pos;
          if (spanTag === 0) {
            r.pos = at;
            j = this.subWkt(wkt, depth, tag === 0x2a ? 'struct_value' : 'list_value');
            spans = [start, e];
          } else {
            // A second occurrence of the same kind merges with the ones before it.
            spans!.push(start, e);
            r.pos = e;
            j = this.mergedWkt(wkt, spans!, depth, at);
          }
          spanTag = tag;
          break;
        }
        default:
          r.skip(tag, depth);
      }
    }
    return j;
  }

  /** A Struct or ListValue from several occurrences (content spans of the input), merged as one message. */
  protected mergedWkt(wkt: number, spans: number[], depth: number, at: number): string {
    const r = this.r;
    let n = 0;
    for (let s = 0; s < spans.length; s += 2) n += spans[s + 1]! - spans[s]!;
    const all = new Uint8Array(n);
    for (let s = 0, o = 0; s < spans.length; s += 2) {
      all.set(r.buf.subarray(spans[s]!, spans[s + 1]!), o);
      o += spans[s + 1]! - spans[s]!;
    }
    const buf = r.buf;
    const pos = r.pos;
    const end = r.end;
    r.reset(all);
    try {
      return wkt === W.STRUCT ? this.struct(n, depth + 1) : this.list(n, depth + 1);
    } catch (e) {
      throw prefixPath(e instanceof CodecError && e.offset !== undefined ? new CodecError(e.path, e.reason, at, e.stage) : e, wkt === W.STRUCT ? 'struct_value' : 'list_value');
    } finally {
      r.reset(buf, pos, end);
    }
  }

  protected subWkt(wkt: number, depth: number, name: string): string {
    const r = this.r;
    try {
      const e = r.lengthEnd();
      const saveEnd = r.end;
      r.end = e;
      const j = wkt === W.STRUCT ? this.struct(e, depth + 1) : this.list(e, depth + 1);
      r.end = saveEnd;
      r.pos = e;
      return j;
    } catch (err) {
      throw prefixPath(err, name);
    }
  }

  protected struct(end: number, depth: number): string {
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    const r = this.r;
    const m = new Map<string, string>();
    while (r.pos < end) {
      const tag = r.tag();
      if (tag !== 0x0a) {
        r.skip(tag, depth);
        continue;
      }
      const entryEnd = r.lengthEnd();
      const saveEnd = r.end;
      r.end = entryEnd;
      let key = '""';
      let value = 'null';
      while (r.pos < entryEnd) {
        const t = r.tag();
        if (t === 0x0a) {
          const e = r.lengthEnd();
          const s = jsonStringFromUtf8(r.buf, r.pos, e);
          if (s === undefined) throw new CodecError('fields', 'invalid UTF-8 in map key', r.pos);
          r.pos = e;
          key = s;
        } else if (t === 0x12) {
          const e = r.lengthEnd();
          const save = r.end;
          r.end = e;
          try {
            value = this.value(e, depth + 1);
          } catch (err) {
            throw prefixPath(err, `fields[${key}]`);
          }
          r.end = save;
          r.pos = e;
        } else r.skip(t, depth);
      }
      r.end = saveEnd;
      m.set(key, value);
    }
    return objectJson(m);
  }

  protected list(end: number, depth: number): string {
    if (depth > MAX_DEPTH) throw new CodecError('', `nesting deeper than ${MAX_DEPTH}`, this.r.pos);
    const r = this.r;
    let out = '[';
    let i = 0;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag !== 0x0a) {
        r.skip(tag, depth);
        continue;
      }
      const e = r.lengthEnd();
      const saveEnd = r.end;
      r.end = e;
      let j: string;
      try {
        j = this.value(e, depth + 1);
      } catch (err) {
        throw prefixPath(err, `values[${i}]`);
      }
      r.end = saveEnd;
      r.pos = e;
      out += (i === 0 ? '' : ',') + j;
      i++;
    }
    return out + ']';
  }

  protected fieldMask(end: number): string {
    const r = this.r;
    let out = '';
    let first = true;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag !== 0x0a) {
        r.skip(tag, 0);
        continue;
      }
      const e = r.lengthEnd();
      const p = readUtf8(r.buf, r.pos, e);
      if (p === undefined) throw new CodecError('paths', 'invalid UTF-8 in string', r.pos);
      const json = pathToJson(p);
      if (json === undefined) throw new CodecError('paths', `FieldMask path ${quoteJsonString(p)} has no JSON form`, r.pos, 'serialize');
      r.pos = e;
      out += (first ? '' : ',') + json;
      first = false;
    }
    return quoteJsonString(out);
  }

  protected any(end: number, depth: number): string {
    const r = this.r;
    let typeUrl: string | undefined;
    let vStart = -1;
    let vEnd = -1;
    while (r.pos < end) {
      const tag = r.tag();
      if (tag === 0x0a) {
        const e = r.lengthEnd();
        typeUrl = readUtf8(r.buf, r.pos, e);
        if (typeUrl === undefined) throw new CodecError('type_url', 'invalid UTF-8 in string', r.pos);
        r.pos = e;
      } else if (tag === 0x12) {
        vEnd = r.lengthEnd();
        vStart = r.pos;
        r.pos = vEnd;
      } else r.skip(tag, depth);
    }
    if (typeUrl === undefined) {
      if (vStart < 0 || vStart === vEnd) return '{}';
      throw new CodecError('type_url', 'Any has a value but no type URL', r.pos, 'serialize');
    }
    const typeName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const inner = this.resolver?.findMessage(typeName);
    if (inner === undefined) throw new CodecError('type_url', `cannot resolve type ${quoteJsonString(typeUrl)}`, r.pos, 'serialize');
    const plan = planOf(inner);
    let j: string;
    try {
      if (vStart < 0) j = this.detached(plan, EMPTY, depth + 1);
      else {
        const saveEnd = r.end;
        r.pos = vStart;
        j = this.sub(plan, vEnd, depth + 1);
        r.end = saveEnd;
        r.pos = end;
      }
    } catch (e) {
      throw prefixPath(e, 'value');
    }
    const head = '{"@type":' + quoteJsonString(typeUrl);
    if (plan.wkt !== W.NONE && plan.wkt !== W.EMPTY) return head + ',"value":' + j + '}';
    return j.length === 2 ? head + '}' : head + ',' + j.slice(1);
  }
}
