import type { ThriftFunction, ThriftStruct } from '../idl-parser/thrift/descriptor.js';
import type { ThriftCodec, ThriftJsonOptions } from '../codec/thrift/index.js';
import { UsageError } from '../errors/usage-error.js';
import type { CallMode } from './call-mode.js';
import type { Generic, MethodCodec } from './method-codec.js';
import type { ThriftProvider } from './thrift-provider.js';
import { unknownNameHint } from './suggest.js';

/**
 * The wire form of one Thrift function, per DESIGN §3: streaming methods
 * carry the bare request/response structs; unary and ping-pong methods carry
 * the args struct (`{<argId>: req}`) and the result struct (`{0: success,
 * <id>: exception}`).
 */
interface ThriftShape {
  readonly fn: ThriftFunction;
  readonly mode: CallMode;
  /** Args/result wrapping applies (unary and ping-pong). */
  readonly wrapped: boolean;
  /** For streaming methods: the bare request and response structs. */
  readonly requestStruct: ThriftStruct | undefined;
  readonly responseStruct: ThriftStruct | undefined;
}

function shapeOf(fn: ThriftFunction): ThriftShape {
  const mode: CallMode = fn.streamingMode === 'none' ? 'pingpong' : fn.streamingMode;
  const wrapped = mode === 'pingpong' || mode === 'unary';
  if (wrapped) return { fn, mode, wrapped, requestStruct: undefined, responseStruct: undefined };
  const arg = fn.args[0];
  if (fn.args.length !== 1 || arg === undefined || arg.type.kind !== 'struct') {
    throw new UsageError(`streaming function ${fn.name} must take exactly one struct argument`);
  }
  if (fn.returnType.kind !== 'struct') throw new UsageError(`streaming function ${fn.name} must return a struct`);
  return { fn, mode, wrapped, requestStruct: arg.type.struct, responseStruct: fn.returnType.struct };
}

/** The declared exception field named by type (`KitchenError`, `base.Err`) or by its `throws` field name. */
function declaredExceptionField(fn: ThriftFunction, typeOrFieldName: string): string | undefined {
  for (const t of fn.throws) {
    if (t.name === typeOrFieldName) return t.name;
    if (t.type.kind === 'struct' && (t.type.struct.name === typeOrFieldName || t.type.struct.fullName === typeOrFieldName)) {
      return t.name;
    }
  }
  return undefined;
}

type Binder<T> = (shape: ThriftShape, codec: ThriftCodec, opts: ThriftJsonOptions | undefined, path: string) => MethodCodec<T, T>;

function common(shape: ThriftShape, path: string) {
  return {
    name: shape.fn.name,
    mode: shape.mode,
    oneway: shape.fn.oneway,
    grpcPath: path,
    grpcContentType: 'application/grpc+thrift',
  };
}

const bindJson: Binder<string> = (shape, codec, opts, path) => {
  const { fn, wrapped, requestStruct: req, responseStruct: res } = shape;
  const isVoid = fn.returnType.kind === 'void';
  return {
    ...common(shape, path),
    encodeRequest: (json) => (wrapped ? codec.encodeArgsJson(fn, json, opts) : codec.encodeJson(req!, json, opts)),
    // streaming messages only: the transport that copies them (ttstream) carries only streams
    encodeRequestView: wrapped ? undefined : (json) => codec.encodeJsonView(req!, json, opts),
    decodeResponse: (bytes) =>
      wrapped ? (codec.decodeResultToJson(fn, bytes, opts) ?? 'null') : codec.decodeToJson(res!, bytes, opts),
    decodeRequest: (bytes) => (wrapped ? codec.decodeArgsToJson(fn, bytes, opts) : codec.decodeToJson(req!, bytes, opts)),
    encodeResponse: (json) =>
      wrapped ? codec.encodeResultJson(fn, isVoid ? undefined : json, opts) : codec.encodeJson(res!, json, opts),
    encodeDeclaredException: (name, json) => {
      const field = wrapped ? declaredExceptionField(fn, name) : undefined;
      return field === undefined ? undefined : codec.encodeExceptionJson(fn, field, json, opts);
    },
  };
};

const bindMap: Binder<unknown> = (shape, codec, opts, path) => {
  const { fn, wrapped, requestStruct: req, responseStruct: res } = shape;
  const single = fn.args.length === 1 ? fn.args[0]!.name : undefined;
  const wrapArgs = (v: unknown): unknown => (single === undefined ? v : { [single]: v });
  return {
    ...common(shape, path),
    encodeRequest: (v) => (wrapped ? codec.encodeObject(fn.argsStruct, wrapArgs(v), opts) : codec.encodeObject(req!, v, opts)),
    decodeResponse: (bytes) => {
      if (!wrapped) return codec.decodeToObject(res!, bytes, opts);
      const result = codec.decodeToObject(fn.resultStruct, bytes, opts);
      // A set exception field: let the JSON path build the DeclaredException with its JSON text.
      for (const t of fn.throws) if (result[t.name] !== undefined) codec.decodeResultToJson(fn, bytes, opts);
      return result['success'] ?? null;
    },
    decodeRequest: (bytes) => {
      if (!wrapped) return codec.decodeToObject(req!, bytes, opts);
      const args = codec.decodeToObject(fn.argsStruct, bytes, opts);
      return single === undefined ? args : args[single];
    },
    encodeResponse: (v) =>
      wrapped
        ? codec.encodeObject(fn.resultStruct, fn.returnType.kind === 'void' ? {} : { success: v }, opts)
        : codec.encodeObject(res!, v, opts),
    encodeDeclaredException: (name, json) => {
      const field = wrapped ? declaredExceptionField(fn, name) : undefined;
      return field === undefined ? undefined : codec.encodeExceptionJson(fn, field, json, opts);
    },
  };
};

const bindBinary: Binder<Uint8Array> = (shape, _codec, _opts, path) => ({
  ...common(shape, path),
  encodeRequest: (bytes) => bytes,
  decodeResponse: (bytes) => bytes,
  decodeRequest: (bytes) => bytes,
  encodeResponse: (bytes) => bytes,
  encodeDeclaredException: () => undefined,
});

/** A generic over a `.thrift` service; requests and responses in one representation. */
class ThriftGeneric<T> implements Generic<T, T> {
  readonly idl = 'thrift' as const;
  readonly serviceName: string;
  private readonly cache = new Map<string, MethodCodec<T, T>>();

  constructor(
    readonly provider: ThriftProvider,
    readonly representation: 'json' | 'map' | 'binary',
    private readonly binder: Binder<T>,
    private readonly opts: ThriftJsonOptions | undefined,
  ) {
    if (!provider.service) throw new UsageError(`${provider.registry.mainFile.path} declares no service`);
    this.serviceName = provider.service.name;
  }

  methods(): Array<{ name: string; mode: CallMode }> {
    return this.provider.methods();
  }

  withThriftProtocol(protocol: 'binary' | 'compact'): Generic<T, T> {
    if ((this.opts?.protocol ?? 'binary') === protocol) return this;
    return new ThriftGeneric(this.provider, this.representation, this.binder, { ...this.opts, protocol });
  }

  method(name: string): MethodCodec<T, T> {
    let m = this.cache.get(name);
    if (m) return m;
    const service = this.provider.service!;
    const fn = service.functions.get(name);
    if (!fn) {
      throw new UsageError(`service ${service.name} has no method "${name}"; ${unknownNameHint(name, [...service.functions.keys()])}`);
    }
    // Kitex's generic client routes Thrift over gRPC as /<Service>/<Method>; Kitex servers ignore any prefix.
    m = this.binder(shapeOf(fn), this.provider.codec, this.opts, `/${service.name}/${fn.name}`);
    this.cache.set(name, m);
    return m;
  }
}

/**
 * JSON text in and out (Kitex's `JSONThriftGeneric`): the request is the
 * method's argument (an object keyed by argument names when it has several),
 * the response its result; a declared exception rejects with
 * `DeclaredException`.
 */
export function jsonThriftGeneric(provider: ThriftProvider, opts?: ThriftJsonOptions): Generic<string, string> {
  return new ThriftGeneric(provider, 'json', bindJson, opts);
}

/** Plain objects in and out; i64 as `bigint`. */
export function mapThriftGeneric(provider: ThriftProvider, opts?: ThriftJsonOptions): Generic<unknown, unknown> {
  return new ThriftGeneric(provider, 'map', bindMap, opts);
}

/** Raw Thrift bytes in and out (bare structs for streams, args/result structs otherwise), for proxies. */
export function binaryThriftGeneric(provider: ThriftProvider): Generic<Uint8Array, Uint8Array> {
  return new ThriftGeneric(provider, 'binary', bindBinary, undefined);
}
