import type { ProtoMessage, ProtoMethod } from '../idl-parser/proto/descriptor.js';
import type { ProtoCodec, ProtoJsonOptions } from '../codec/proto/index.js';
import { UsageError } from '../errors/usage-error.js';
import type { CallMode } from './call-mode.js';
import type { Generic, MethodCodec } from './method-codec.js';
import type { ProtoProvider } from './proto-provider.js';
import { unknownNameHint } from './suggest.js';

/** How one representation turns values into protobuf bytes and back. */
interface ProtoRepresentation<T> {
  readonly name: 'json' | 'map' | 'binary';
  encode(codec: ProtoCodec, type: ProtoMessage, value: T, opts: ProtoJsonOptions | undefined): Uint8Array;
  decode(codec: ProtoCodec, type: ProtoMessage, bytes: Uint8Array, opts: ProtoJsonOptions | undefined): T;
}

const jsonRepresentation: ProtoRepresentation<string> = {
  name: 'json',
  encode: (codec, type, json, opts) => codec.encodeJson(type, json, opts),
  decode: (codec, type, bytes, opts) => codec.decodeToJson(type, bytes, opts),
};

const mapRepresentation: ProtoRepresentation<Record<string, unknown>> = {
  name: 'map',
  encode: (codec, type, value, opts) => codec.encodeObject(type, value, opts),
  decode: (codec, type, bytes, opts) => codec.decodeToObject(type, bytes, opts),
};

const binaryRepresentation: ProtoRepresentation<Uint8Array> = {
  name: 'binary',
  encode: (_codec, _type, bytes) => bytes,
  decode: (_codec, _type, bytes) => bytes,
};

/** A generic over a `.proto` service; requests and responses in one representation. */
class ProtoGeneric<T> implements Generic<T, T> {
  readonly idl = 'proto' as const;
  readonly representation: 'json' | 'map' | 'binary';
  readonly serviceName: string;
  private readonly cache = new Map<string, MethodCodec<T, T>>();

  constructor(
    readonly provider: ProtoProvider,
    private readonly repr: ProtoRepresentation<T>,
    private readonly opts: ProtoJsonOptions | undefined,
  ) {
    this.representation = repr.name;
    if (!provider.service) throw new UsageError(`${provider.registry.mainFile.name} declares no service`);
    this.serviceName = provider.service.name;
  }

  methods(): Array<{ name: string; mode: CallMode }> {
    return this.provider.methods();
  }

  withThriftProtocol(): Generic<T, T> {
    return this;
  }

  method(name: string): MethodCodec<T, T> {
    let m = this.cache.get(name);
    if (m) return m;
    const service = this.provider.service!;
    const desc = service.methods.find((x) => x.name === name);
    if (!desc) {
      throw new UsageError(
        `service ${service.fullName} has no method "${name}"; ${unknownNameHint(name, service.methods.map((x) => x.name))}`,
      );
    }
    m = this.bind(desc, `/${service.fullName}/${desc.name}`);
    this.cache.set(name, m);
    return m;
  }

  private bind(desc: ProtoMethod, grpcPath: string): MethodCodec<T, T> {
    const { repr, opts } = this;
    const codec = this.provider.codec;
    return {
      name: desc.name,
      mode: desc.streamingMode,
      oneway: false,
      grpcPath,
      grpcContentType: 'application/grpc',
      encodeRequest: (req) => repr.encode(codec, desc.input, req, opts),
      decodeResponse: (bytes) => repr.decode(codec, desc.output, bytes, opts),
      decodeRequest: (bytes) => repr.decode(codec, desc.input, bytes, opts),
      encodeResponse: (res) => repr.encode(codec, desc.output, res, opts),
      encodeDeclaredException: () => undefined,
    };
  }
}

/**
 * JSON text in and out (Kitex's `JSONPbGeneric`). The HTTP/2 path carries
 * the `.proto` package: `/search.gpt_engine.GPTStreamService/GPTGeneration`.
 */
export function jsonPbGeneric(provider: ProtoProvider, opts?: ProtoJsonOptions): Generic<string, string> {
  return new ProtoGeneric(provider, jsonRepresentation, opts);
}

/** Plain objects in and out; 64-bit integers as `bigint`. */
export function mapPbGeneric(
  provider: ProtoProvider,
  opts?: ProtoJsonOptions,
): Generic<Record<string, unknown>, Record<string, unknown>> {
  return new ProtoGeneric(provider, mapRepresentation, opts);
}

/** Raw protobuf message bytes in and out, for proxies. */
export function binaryPbGeneric(provider: ProtoProvider): Generic<Uint8Array, Uint8Array> {
  return new ProtoGeneric(provider, binaryRepresentation, undefined);
}
