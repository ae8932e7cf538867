/**
 * The messages of `grpc.reflection.v1.ServerReflection` (v1alpha has the same fields and
 * numbers), encoded and decoded by hand: their shapes are fixed, and descriptor bytes stay
 * views of the received message.
 */
import { WireReader, WireWriter } from './wire.js';

/** What a client asks (the `message_request` oneof). */
export type ReflectionRequest =
  | { readonly kind: 'fileByFilename'; readonly name: string }
  | { readonly kind: 'fileContainingSymbol'; readonly symbol: string }
  | { readonly kind: 'fileContainingExtension'; readonly containingType: string; readonly number: number }
  | { readonly kind: 'allExtensionNumbersOfType'; readonly type: string }
  | { readonly kind: 'listServices'; readonly pattern: string };

/** What a server answers (the `message_response` oneof). */
export type ReflectionResponse =
  | { readonly kind: 'files'; readonly files: readonly Uint8Array[] }
  | { readonly kind: 'extensionNumbers'; readonly baseTypeName: string; readonly numbers: readonly number[] }
  | { readonly kind: 'services'; readonly names: readonly string[] }
  | { readonly kind: 'error'; readonly code: number; readonly message: string };

/** A request as sent (`host` empty, as grpcurl sends it). */
export function encodeReflectionRequest(req: ReflectionRequest): Uint8Array {
  const w = new WireWriter(64);
  switch (req.kind) {
    case 'fileByFilename':
      w.string(3, req.name);
      break;
    case 'fileContainingSymbol':
      w.string(4, req.symbol);
      break;
    case 'fileContainingExtension': {
      const s = w.begin(5);
      w.string(1, req.containingType);
      w.int32(2, req.number);
      w.end(s);
      break;
    }
    case 'allExtensionNumbersOfType':
      w.string(6, req.type);
      break;
    case 'listServices':
      w.string(7, req.pattern);
      break;
  }
  return w.finish();
}

/** A received request: its `host` and what it asks (undefined when the oneof is unset). Throws `CodecError`. */
export function decodeReflectionRequest(bytes: Uint8Array): { host: string; request: ReflectionRequest | undefined } {
  const r = new WireReader(bytes);
  let host = '';
  let request: ReflectionRequest | undefined;
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag) {
      case 0x0a: host = r.string(); break;
      case 0x1a: request = { kind: 'fileByFilename', name: r.string() }; break;
      case 0x22: request = { kind: 'fileContainingSymbol', symbol: r.string() }; break;
      case 0x2a: {
        const end = r.lengthEnd();
        const inner = new WireReader(r.buf, r.pos, end);
        let containingType = '';
        let number = 0;
        while (inner.pos < inner.end) {
          const t = inner.tag();
          if (t === 0x0a) containingType = inner.string();
          else if (t === 0x10) number = inner.int32();
          else inner.skip(t, 0);
        }
        r.pos = end;
        request = { kind: 'fileContainingExtension', containingType, number };
        break;
      }
      case 0x32: request = { kind: 'allExtensionNumbersOfType', type: r.string() }; break;
      case 0x3a: request = { kind: 'listServices', pattern: r.string() }; break;
      default: r.skip(tag, 0);
    }
  }
  return { host, request };
}

/** A response echoing the request's bytes (`original_request`) and host. */
export function encodeReflectionResponse(host: string, originalRequest: Uint8Array, res: ReflectionResponse): Uint8Array {
  let size = 32 + host.length + originalRequest.length;
  if (res.kind === 'files') for (const f of res.files) size += f.length + 5;
  const w = new WireWriter(size);
  if (host) w.string(1, host);
  w.bytes(2, originalRequest);
  switch (res.kind) {
    case 'files': {
      const s = w.begin(4);
      for (const f of res.files) w.bytes(1, f);
      w.end(s);
      break;
    }
    case 'extensionNumbers': {
      const s = w.begin(5);
      w.string(1, res.baseTypeName);
      if (res.numbers.length) {
        const p = w.begin(2);
        for (const n of res.numbers) w.varintValue(n);
        w.end(p);
      }
      w.end(s);
      break;
    }
    case 'services': {
      const s = w.begin(6);
      for (const name of res.names) {
        const e = w.begin(1);
        w.string(1, name);
        w.end(e);
      }
      w.end(s);
      break;
    }
    case 'error': {
      const s = w.begin(7);
      w.int32(1, res.code);
      if (res.message) w.string(2, res.message);
      w.end(s);
      break;
    }
  }
  return w.finish();
}

/**
 * A received response: what it answers, or undefined when the `message_response` oneof is
 * unset or unknown. Throws `CodecError` for malformed bytes.
 */
export function decodeReflectionResponse(bytes: Uint8Array): ReflectionResponse | undefined {
  const r = new WireReader(bytes);
  let res: ReflectionResponse | undefined;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag < 0x22 || tag > 0x3a || (tag & 7) !== 2) {
      r.skip(tag, 0);
      continue;
    }
    const end = r.lengthEnd();
    const inner = new WireReader(r.buf, r.pos, end);
    r.pos = end;
    switch (tag) {
      case 0x22: {
        const files: Uint8Array[] = [];
        while (inner.pos < inner.end) {
          const t = inner.tag();
          if (t === 0x0a) files.push(inner.bytes());
          else inner.skip(t, 0);
        }
        res = { kind: 'files', files };
        break;
      }
      case 0x2a: {
        let baseTypeName = '';
        const numbers: number[] = [];
        while (inner.pos < inner.end) {
          const t = inner.tag();
          if (t === 0x0a) baseTypeName = inner.string();
          else if (t === 0x10) numbers.push(inner.int32());
          else if (t === 0x12) {
            const e = inner.lengthEnd();
            while (inner.pos < e) numbers.push(inner.int32());
          } else inner.skip(t, 0);
        }
        res = { kind: 'extensionNumbers', baseTypeName, numbers };
        break;
      }
      case 0x32: {
        const names: string[] = [];
        while (inner.pos < inner.end) {
          const t = inner.tag();
          if (t !== 0x0a) {
            inner.skip(t, 0);
            continue;
          }
          const e = inner.lengthEnd();
          const svc = new WireReader(inner.buf, inner.pos, e);
          inner.pos = e;
          while (svc.pos < svc.end) {
            const st = svc.tag();
            if (st === 0x0a) names.push(svc.string());
            else svc.skip(st, 0);
          }
        }
        res = { kind: 'services', names };
        break;
      }
      case 0x3a: {
        let code = 0;
        let message = '';
        while (inner.pos < inner.end) {
          const t = inner.tag();
          if (t === 0x08) code = inner.int32();
          else if (t === 0x12) message = inner.string();
          else inner.skip(t, 0);
        }
        res = { kind: 'error', code, message };
        break;
      }
    }
  }
  return res;
}
