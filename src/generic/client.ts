import type { ClientCall } from '../http2/client-call.js';
import type { PingPongTransport } from '../ttheader/envelope.js';
import { Code } from '../errors/status-code.js';
import { RpcError } from '../errors/rpc-error.js';
import { UsageError } from '../errors/usage-error.js';
import { describeMode, type CallMode } from './call-mode.js';
import type { Generic, MethodCodec } from './method-codec.js';
import type { InstanceStatus } from '../discovery/index.js';
import type { CallOptions, ClientOptions, CloseOptions } from './options.js';
import { backwardMetainfoOf } from './metainfo.js';
import { AddressPicker } from './pick-address.js';
import { pingPongReplyMetadata } from './reply-metadata.js';
import { BidiStream, ClientStream, CodecCall, ServerStream, receiveSingle } from './streams.js';
import type { TransportCall } from './transport-call.js';
import type { UnaryResult } from '../governance/middleware.js';
import type { RetryingCall } from '../governance/retry/index.js';
import { ClientGovernance } from './governance.js';
import { ClientTransports } from './client-transports.js';
import { CallRoutes } from './call-routes.js';
import { GovernedCalls } from './governed-calls.js';
import { ClientChain } from './client-chain.js';

/** How long `close()` lets calls in flight finish before cancelling them. */
const DEFAULT_CLOSE_GRACE_MS = 5000;

/**
 * A generic client for one service: every call shape over gRPC or (Thrift)
 * Kitex's TTHeader Streaming, and `genericCall` over the ping-pong transports
 * too. Made by {@link newStreamingClient} (gRPC by default) or
 * {@link newClient} (TTHeader by default). Requests and responses are in the
 * generic's representation (JSON strings for `jsonPbGeneric` /
 * `jsonThriftGeneric`).
 */
export class GenericClient<Req, Res> {
  readonly transport: 'grpc' | 'ttstream' | PingPongTransport;
  /** The generic whose codecs `genericCall` uses (compact Thrift when asked). */
  private readonly callGeneric: Generic<Req, Res>;
  /** Where calls go. */
  private readonly addresses: AddressPicker;
  private readonly routes: CallRoutes;
  private readonly transports: ClientTransports;
  /** Retries, hedging, breakers: undefined when the options ask for none (calls then take the plain path). */
  private readonly governance: ClientGovernance | undefined;
  private readonly governed: GovernedCalls | undefined;
  /** Calls through middlewares. */
  private readonly chains: ClientChain<Req, Res>;

  constructor(
    /** The destination service name (Kitex's `destService`): `:authority` and TTHeader ToService. */
    readonly serviceName: string,
    readonly generic: Generic<Req, Res>,
    private readonly options: ClientOptions,
    defaultTransport: 'grpc' | PingPongTransport,
  ) {
    this.transport = options.transport ?? defaultTransport;
    const compact = options.thriftProtocol === 'compact';
    if (compact && generic.idl !== 'thrift') throw new UsageError("thriftProtocol 'compact' needs a Thrift generic");
    if (compact && (this.transport === 'grpc' || this.transport.startsWith('ttheader') || this.transport === 'ttstream')) {
      const over = this.transport === 'grpc' ? 'gRPC' : this.transport === 'ttstream' ? 'ttstream' : "Kitex's TTHeader";
      throw new UsageError(`Thrift over ${over} is binary; use framed, buffered or theader for compact`);
    }
    if (generic.idl === 'proto' && this.transport === 'ttstream') {
      throw new UsageError("ttstream carries Thrift; protobuf streams travel over 'grpc'");
    }
    if (generic.idl === 'proto' && this.transport !== 'grpc' && this.transport !== 'ttheader' && this.transport !== 'framed') {
      throw new UsageError(`protobuf ping-pong travels over 'ttheader' or 'framed', not '${this.transport}'`);
    }
    this.callGeneric = compact ? generic.withThriftProtocol('compact') : generic;
    this.governance = ClientGovernance.of(options, serviceName);
    this.addresses = new AddressPicker(serviceName, options, (hp) => {
      // `?.`: a resolver may drop instances while the picker is being built, before the transports exist
      this.transports?.closeAddress(hp);
      this.governance?.breakers?.forget(hp);
    });
    this.transports = new ClientTransports(serviceName, generic, options, this.transport, this.addresses);
    this.routes = new CallRoutes(options, this.addresses, this.governance?.breakers);
    this.governed = this.governance && new GovernedCalls(this.governance, options, this.routes, this.transports);
    const target = typeof options.resolver === 'string' ? options.resolver : (options.hostPorts?.join(',') ?? serviceName);
    this.chains = new ClientChain(options, this.transport, target, {
      unary: (codec, req, opts, reply) => this.unaryCall(codec, req, opts, reply),
      open: (codec, opts) => this.open(codec, opts),
    });
  }

  /** Whether calls can go out at once: instances are known and the transport is loaded. */
  private get ready(): boolean {
    return this.addresses.ready && this.transports.loaded;
  }

  /** Waits for the resolver's first answer and for the transport's modules. */
  private async whenReady(): Promise<void> {
    await Promise.all([this.addresses.ready ? undefined : this.addresses.whenReady(), this.transports.loaded ? undefined : this.transports.load()]);
  }

  /** The instances the client knows (from `hostPorts` or its resolver), with their state and load. */
  instances(): InstanceStatus[] {
    return this.addresses.instances();
  }

  /** Opens a client-streaming call: `send` × n, then `closeAndRecv`. */
  async clientStreaming(method: string, opts: CallOptions = {}): Promise<ClientStream<Req, Res>> {
    const codec = this.bind(method, 'client', 'clientStreaming');
    if (!this.ready) await this.whenReady();
    const chain = this.chains.for(opts);
    if (chain) return new ClientStream(await this.chains.open(chain, codec, opts), method);
    return new ClientStream(new CodecCall(this.open(codec, opts), codec), method);
  }

  /** Sends one request and returns the stream of responses. */
  async serverStreaming(method: string, req: Req, opts: CallOptions = {}): Promise<ServerStream<Req, Res>> {
    const codec = this.bind(method, 'server', 'serverStreaming');
    const chain = this.chains.for(opts);
    if (chain) {
      if (!this.ready) await this.whenReady();
      return new ServerStream(await this.chains.open(chain, codec, opts, req), method);
    }
    const bytes = codec.encodeRequest(req);
    if (!this.ready) await this.whenReady();
    const call = this.open(codec, opts);
    call.send(bytes).catch(() => undefined); // a failed send surfaces through recv()
    call.closeSend();
    return new ServerStream(new CodecCall(call, codec), method);
  }

  /** Opens a bidirectional call: independent `send`/`recv`, `close()` half-closes. */
  async bidiStreaming(method: string, opts: CallOptions = {}): Promise<BidiStream<Req, Res>> {
    const codec = this.bind(method, 'bidirectional', 'bidiStreaming');
    if (!this.ready) await this.whenReady();
    const chain = this.chains.for(opts);
    if (chain) return new BidiStream(await this.chains.open(chain, codec, opts), method);
    return new BidiStream(new CodecCall(this.open(codec, opts), codec), method);
  }

  /**
   * A unary call over gRPC, or a ping-pong call over TTHeader/Framed/Buffered/THeader.
   * On a ttstream client, unary and ping-pong methods go over Framed, as Kitex's
   * client sends them (only streaming methods travel over TTHeader Streaming).
   */
  genericCall(method: string, req: Req, opts: CallOptions = {}): Promise<Res> {
    // Not itself async: a call without middlewares is one async step (unaryCall), as before they existed.
    let codec: MethodCodec<Req, Res>;
    try {
      codec = this.callGeneric.method(method);
      if (codec.mode !== 'unary' && codec.mode !== 'pingpong') {
        throw new UsageError(`${method} is a ${describeMode(codec.mode)} method; use ${streamingCallName(codec.mode)}`);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const chain = this.chains.for(opts);
    return chain ? this.chains.unary(chain, codec, req, opts) : this.unaryCall(codec, req, opts);
  }

  /**
   * The transport's part of a unary or ping-pong call. `reply`, when given (the middleware
   * chain's endpoint), gets the response headers and trailers, read from the ended call
   * (no await: they came before the call ended).
   */
  private async unaryCall(codec: MethodCodec<Req, Res>, req: Req, opts: CallOptions, reply?: UnaryResult): Promise<Res> {
    const bytes = codec.encodeRequest(req);
    // Calls wait for the resolver's first answer only (later answers arrive in the background).
    if (!this.ready) await this.whenReady();
    if (this.transport !== 'grpc') return this.pingPongCall(codec, bytes, opts, reply);
    const plan = this.governance?.plan(codec.name, opts, false);
    let call: ClientCall | RetryingCall;
    let res: Res;
    if (plan?.hedging) ({ call, res } = await this.governed!.hedgedUnary(codec, bytes, opts, plan));
    else {
      call = plan
        ? this.governed!.openGrpc(codec, opts, plan)
        : this.transports.openGrpc(codec, opts, this.routes.route(codec.name, opts), opts.timeoutMs ?? this.options.timeoutMs, 0);
      call.send(bytes).catch(noop);
      call.closeSend();
      res = await receiveSingle(call, codec);
    }
    const onBackward = opts.onBackwardMetadata ?? this.options.onBackwardMetadata;
    if (reply || opts.onResponseMetadata || onBackward) {
      const headers = call.endedHeaders();
      const trailers = call.endedTrailers();
      opts.onResponseMetadata?.(headers, trailers);
      onBackward?.(backwardMetainfoOf(headers, trailers));
      if (reply) {
        reply.header = headers;
        reply.trailer = trailers;
      }
    }
    return res;
  }

  /**
   * Refuses new calls, lets the calls in flight finish for up to `graceMs`
   * (default 5000, Kitex's exit wait time), then cancels those still running
   * (CANCELLED) and closes every connection (and the resolver it made). Always
   * resolves.
   */
  async close(opts: CloseOptions = {}): Promise<void> {
    this.routes.closed = true;
    const graceMs = opts.graceMs ?? DEFAULT_CLOSE_GRACE_MS;
    await Promise.all([this.transports.close(graceMs), this.addresses.close()]);
  }

  private bind(method: string, mode: CallMode, callName: string): MethodCodec<Req, Res> {
    if (this.transport !== 'grpc' && this.transport !== 'ttstream') {
      throw new UsageError(`${callName} needs the 'grpc' or 'ttstream' transport; this client uses '${this.transport}'`);
    }
    const codec = this.generic.method(method);
    if (codec.mode !== mode) {
      const use = codec.mode === 'unary' || codec.mode === 'pingpong' ? 'genericCall' : streamingCallName(codec.mode);
      throw new UsageError(`${method} is a ${describeMode(codec.mode)} method, not ${describeMode(mode)}; use ${use}`);
    }
    return codec;
  }

  private open(codec: MethodCodec<Req, Res>, opts: CallOptions): TransportCall {
    if (this.transport === 'ttstream') {
      // streams over ttstream are not retried, but take their method's timeout
      const timeoutMs = opts.timeoutMs ?? this.governance?.plan(codec.name, opts, false).timeoutMs ?? this.options.timeoutMs;
      return this.transports.openTTStream(codec, opts, this.routes.route(codec.name, opts), timeoutMs);
    }
    const gov = this.governance;
    if (gov !== undefined) return this.governed!.openGrpc(codec, opts, gov.plan(codec.name, opts, false));
    return this.transports.openGrpc(codec, opts, this.routes.route(codec.name, opts), opts.timeoutMs ?? this.options.timeoutMs, 0);
  }

  private async pingPongCall(codec: MethodCodec<Req, Res>, body: Uint8Array, opts: CallOptions, reply: UnaryResult | undefined): Promise<Res> {
    const plan = this.governance?.plan(codec.name, opts, true);
    const answer = plan
      ? await this.governed!.pingPong(codec, body, opts, plan)
      : await this.transports.pingPongAttempt(codec, body, opts, this.routes.route(codec.name, opts), opts.timeoutMs ?? this.options.timeoutMs, opts.signal);
    if (answer === undefined) return undefined as Res; // oneway: nothing comes back
    if (answer.messageType !== 'reply') throw new RpcError(Code.INTERNAL, `${codec.name}: unexpected ${answer.messageType} message`);
    const res = codec.decodeResponse(answer.body);
    if (opts.onResponseMetadata || reply) {
      const header = pingPongReplyMetadata(answer.headers);
      opts.onResponseMetadata?.(header, {});
      if (reply) reply.header = header;
    }
    const onBackward = opts.onBackwardMetadata ?? this.options.onBackwardMetadata;
    // A Kitex client takes every string info entry of a TTHeader reply as backward metainfo.
    if (onBackward) onBackward(this.transport.startsWith('ttheader') ? Object.fromEntries(answer.headers.strInfo) : {});
    return res;
  }
}

function noop(): void {}

function streamingCallName(mode: CallMode): string {
  return mode === 'client' ? 'clientStreaming' : mode === 'server' ? 'serverStreaming' : 'bidiStreaming';
}

/**
 * Kitex's `genericclient.NewStreamingClient`: a client for every call shape,
 * over gRPC unless `options.transport` says otherwise (`'ttstream'` for
 * Kitex's TTHeader Streaming with a Thrift generic).
 */
export function newStreamingClient<Req, Res>(
  serviceName: string,
  generic: Generic<Req, Res>,
  options: ClientOptions,
): GenericClient<Req, Res> {
  return new GenericClient(serviceName, generic, options, 'grpc');
}

/**
 * Kitex's `genericclient.NewClient`: a ping-pong client, over TTHeader
 * (with Framed inside, as Kitex clients send it) unless `options.transport`
 * says otherwise.
 */
export function newClient<Req, Res>(serviceName: string, generic: Generic<Req, Res>, options: ClientOptions): GenericClient<Req, Res> {
  return new GenericClient(serviceName, generic, options, 'ttheader');
}

/** Kitex-style free function: `genericclient.NewClientStreaming(ctx, cli, method)`. */
export function newClientStreaming<Req, Res>(cli: GenericClient<Req, Res>, method: string, opts?: CallOptions): Promise<ClientStream<Req, Res>> {
  return cli.clientStreaming(method, opts);
}

/** Kitex-style free function: `genericclient.NewServerStreaming(ctx, cli, method, req)`. */
export function newServerStreaming<Req, Res>(
  cli: GenericClient<Req, Res>,
  method: string,
  req: Req,
  opts?: CallOptions,
): Promise<ServerStream<Req, Res>> {
  return cli.serverStreaming(method, req, opts);
}

/** Kitex-style free function: `genericclient.NewBidirectionalStreaming(ctx, cli, method)`. */
export function newBidirectionalStreaming<Req, Res>(
  cli: GenericClient<Req, Res>,
  method: string,
  opts?: CallOptions,
): Promise<BidiStream<Req, Res>> {
  return cli.bidiStreaming(method, opts);
}
