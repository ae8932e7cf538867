/**
 * The transports a generic client opens calls on — gRPC, TTHeader Streaming, the ping-pong
 * transports — each made on its first call, and how one call is put on each. Their modules
 * load before the client's first call ({@link ClientTransports.load}): a process that only
 * serves, or only uses one transport, never loads the others.
 */
import type { GrpcChannel } from '../http2/channel.js';
import type { ClientCall } from '../http2/client-call.js';
import type { PingPongClient, PingPongReply } from '../ttheader/client.js';
import type { PingPongTransport } from '../ttheader/envelope.js';
import type { TTStreamClient } from '../ttstream/client.js';
import type { Generic, MethodCodec } from './method-codec.js';
import type { CallOptions, ClientOptions } from './options.js';
import { persistentMetainfoHeaders } from './metainfo.js';
import type { AddressPicker } from './pick-address.js';
import type { TransportCall } from './transport-call.js';
import { mergeMetadata, mergePersistent, stringMetadata } from './call-metadata.js';

/** Where a call goes: its address, and the chooser of another for when that one cannot be reached. */
export interface Route {
  hostPort: string;
  nextHostPort?: (tried: ReadonlySet<string>) => string | undefined;
}

/** What a transport needs to know of the method it carries. */
type WireMethod = Pick<MethodCodec<unknown, unknown>, 'name' | 'oneway' | 'grpcPath' | 'grpcContentType'>;

/** The transport classes, once loaded (they are only ever loaded once per process). */
interface TransportModules {
  GrpcChannel?: typeof GrpcChannel;
  PingPongClient?: typeof PingPongClient;
  TTStreamClient?: typeof TTStreamClient;
}
const modules: TransportModules = {};
let grpcLoading: Promise<unknown> | undefined;
let pingPongLoading: Promise<unknown> | undefined;
let ttstreamLoading: Promise<unknown> | undefined;

/** A client's transports (see the module comment). */
export class ClientTransports {
  private grpc: GrpcChannel | undefined;
  private ttstream: TTStreamClient | undefined;
  private pingPong: PingPongClient | undefined;

  constructor(
    private readonly serviceName: string,
    private readonly generic: Pick<Generic<unknown, unknown>, 'idl' | 'serviceName'>,
    private readonly options: ClientOptions,
    private readonly transport: 'grpc' | 'ttstream' | PingPongTransport,
    private readonly addresses: AddressPicker,
  ) {}

  /** Whether the transport modules this client uses are loaded (calls need not wait). */
  get loaded(): boolean {
    if (this.transport === 'grpc') return modules.GrpcChannel !== undefined;
    // a ttstream client sends its unary and ping-pong calls over Framed
    return modules.PingPongClient !== undefined && (this.transport !== 'ttstream' || modules.TTStreamClient !== undefined);
  }

  /** Loads the transport modules this client uses. */
  async load(): Promise<void> {
    if (this.transport === 'grpc') {
      await (grpcLoading ??= import('../http2/channel.js').then((m) => (modules.GrpcChannel = m.GrpcChannel)));
      return;
    }
    await Promise.all([
      (pingPongLoading ??= import('../ttheader/client.js').then((m) => (modules.PingPongClient = m.PingPongClient))),
      this.transport === 'ttstream' ? (ttstreamLoading ??= import('../ttstream/client.js').then((m) => (modules.TTStreamClient = m.TTStreamClient))) : undefined,
    ]);
  }

  /** A gRPC call to `route`; `previousAttempts` > 0 marks a retry or hedge (`grpc-previous-rpc-attempts`). */
  openGrpc(codec: WireMethod, opts: CallOptions, route: Route, timeoutMs: number | undefined, previousAttempts: number): ClientCall {
    this.grpc ??= new (loadedClass(modules.GrpcChannel))({
      hostPorts: [],
      authority: this.options.authority ?? this.serviceName,
      userAgent: 'idlcall',
      onConnectionState: this.addresses.connectionEvent,
      ...pick(this.options, ['tls', 'connectTimeoutMs', 'keepalive', 'maxReceiveMessageBytes', 'maxSendMessageBytes', 'onConnect']),
    });
    const compression = opts.compression ?? this.options.compression;
    let metadata = mergeMetadata(this.options.metadata, opts.metadata);
    const persistent = mergePersistent(this.options.persistentMetadata, opts.persistentMetadata);
    if (persistent) metadata = { ...metadata, ...persistentMetainfoHeaders(persistent) };
    const call = this.grpc.call({
      path: codec.grpcPath,
      contentType: codec.grpcContentType,
      metadata,
      ...route,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(compression ? { compression } : {}),
      ...(previousAttempts > 0 ? { extraHeaders: { 'grpc-previous-rpc-attempts': String(previousAttempts) } } : {}),
    });
    if (this.addresses.tracksLoad) void call.status.then(this.addresses.callStarted(route.hostPort));
    return call;
  }

  /** A TTHeader Streaming stream: `isn` is the IDL service name; metadata travels as metainfo. */
  openTTStream(codec: WireMethod, opts: CallOptions, route: Route, timeoutMs: number | undefined): TransportCall {
    this.ttstream ??= new (loadedClass(modules.TTStreamClient))({
      hostPorts: [],
      onConnectionState: this.addresses.connectionEvent,
      ...pick(this.options, ['connectTimeoutMs', 'maxReceiveMessageBytes', 'maxSendMessageBytes', 'fromService', 'onConnect']),
      ...(this.options.maxConnectionsPerHost !== undefined ? { connectionsPerHost: this.options.maxConnectionsPerHost } : {}),
      ...(this.options.ttstreamReset !== undefined ? { reset: this.options.ttstreamReset } : {}),
    });
    const metadata = this.options.metadata || opts.metadata ? stringMetadata(mergeMetadata(this.options.metadata, opts.metadata)) : undefined;
    const persistent = mergePersistent(this.options.persistentMetadata, opts.persistentMetadata);
    const stream = this.ttstream.call({
      method: codec.name,
      service: this.generic.serviceName,
      hostPort: route.hostPort,
      nextHostPort: route.nextHostPort,
      metadata,
      persistentMetadata: persistent,
      timeoutMs,
      signal: opts.signal,
    });
    // The trailers settle at the end of the stream, whatever the end.
    if (this.addresses.tracksLoad) void stream.trailers.then(this.addresses.callStarted(route.hostPort));
    return stream;
  }

  /** One ping-pong exchange with `route` (its promise as the transport gives it: no extra layer). */
  pingPongAttempt(
    codec: WireMethod,
    body: Uint8Array,
    opts: CallOptions,
    route: Route,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<PingPongReply | undefined> {
    this.pingPong ??= new (loadedClass(modules.PingPongClient))({
      hostPorts: [],
      // Kitex's client sends what does not stream over Framed when streams go over ttstream (client.go purifyProtocol)
      transport: this.transport === 'ttstream' ? 'framed' : (this.transport as PingPongTransport),
      payloadProtocol:
        this.generic.idl === 'proto' ? 'kitex-protobuf' : this.options.thriftProtocol === 'compact' ? 'thrift-compact' : 'thrift-binary',
      onConnectionState: this.addresses.connectionEvent,
      ...pick(this.options, ['connectTimeoutMs', 'maxConnectionsPerHost', 'fromService', 'onConnect']),
      ...(this.options.maxReceiveMessageBytes !== undefined ? { maxFrameBytes: this.options.maxReceiveMessageBytes } : {}),
    });
    const persistentMetadata = mergePersistent(this.options.persistentMetadata, opts.persistentMetadata);
    // A middleware chain hands every call a metadata object, most often empty: nothing to convert then.
    const metadata = this.options.metadata || (opts.metadata && hasKeys(opts.metadata)) ? stringMetadata(mergeMetadata(this.options.metadata, opts.metadata)) : undefined;
    const request = {
      method: codec.name,
      body,
      oneway: codec.oneway,
      toService: this.serviceName,
      idlServiceName: this.generic.serviceName,
      ...route,
      ...(metadata ? { metadata } : {}),
      ...(persistentMetadata ? { persistentMetadata } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(signal ? { signal } : {}),
    };
    if (!this.addresses.tracksLoad) return this.pingPong.call(request);
    const done = this.addresses.callStarted(route.hostPort);
    return this.pingPong.call(request).finally(done);
  }

  /** Closes the connections to an address the resolver no longer lists. */
  closeAddress(hostPort: string): void {
    this.grpc?.closeAddress(hostPort);
    this.ttstream?.closeAddress(hostPort);
    this.pingPong?.closeAddress(hostPort);
  }

  /** Closes every transport, letting calls in flight finish for up to `graceMs`. */
  async close(graceMs: number): Promise<void> {
    await Promise.all([this.grpc?.close(graceMs), this.ttstream?.close(graceMs), this.pingPong?.close(graceMs)]);
  }
}

/** A transport class that {@link ClientTransports.load} loaded before the client's first call. */
function loadedClass<C>(c: C | undefined): C {
  if (c === undefined) throw new Error('internal: a transport was used before ClientTransports.load()');
  return c;
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}
