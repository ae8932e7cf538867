import { GrpcChannel } from '../http2/index.js';
import { PingPongClient, type PingPongTransport } from '../ttheader/index.js';
import { TTStreamClient } from '../ttstream/index.js';
import { Code } from '../errors/status-code.js';
import { RpcError } from '../errors/rpc-error.js';
import { UsageError } from '../errors/usage-error.js';
import { describeMode, type CallMode } from './call-mode.js';
import type { Generic, MethodCodec } from './method-codec.js';
import type { InstanceStatus } from '../discovery/index.js';
import type { CallOptions, ClientOptions, CloseOptions, RequestMetadata } from './options.js';
import { backwardMetainfoOf, persistentMetainfoHeaders } from './metainfo.js';
import { AddressPicker, type PickRequest } from './pick-address.js';
import { pingPongReplyMetadata } from './reply-metadata.js';
import { BidiStream, ClientStream, CodecCall, ServerStream, receiveSingle } from './streams.js';
import type { TransportCall } from './transport-call.js';
import { compose, resultOf } from '../governance/compose.js';
import { MessagePipe } from '../governance/message-pipe.js';
import type { Call, CallHandler, CallResult, StreamCall, UnaryCall, UnaryResult } from '../governance/middleware.js';
import { PipedCall, encodeOnlyRequest, transportStream, type StreamLink } from './piped-call.js';
import type { ClientCall } from '../http2/index.js';
import type { PingPongReply } from '../ttheader/index.js';
import { ClientGovernance, type CallPlan } from './governance.js';
import { RetryingCall, failureRetry } from '../governance/retry/index.js';
import { hedge, type HedgeAttempt } from '../governance/hedging/index.js';
import type { Admission } from '../governance/circuit-breaker/index.js';
import type { AttemptInfo, RetryCause } from '../governance/attempt-info.js';

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
  private grpc: GrpcChannel | undefined;
  private ttstream: TTStreamClient | undefined;
  private pingPong: PingPongClient | undefined;
  /** The generic whose codecs `genericCall` uses (compact Thrift when asked). */
  private readonly callGeneric: Generic<Req, Res>;
  /** Where calls go. */
  private readonly addresses: AddressPicker;
  /** Retries, hedging, breakers: undefined when the options ask for none (calls then take the plain path). */
  private readonly governance: ClientGovernance | undefined;
  private closed = false;
  /** The client's middlewares around the transport, composed once; undefined when there are none. */
  private readonly chain: CallHandler | undefined;
  /** What middlewares see as the call's target. */
  private readonly target: string;

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
      this.grpc?.closeAddress(hp);
      this.ttstream?.closeAddress(hp);
      this.pingPong?.closeAddress(hp);
      this.governance?.breakers?.forget(hp);
    });
    this.target = typeof options.resolver === 'string' ? options.resolver : (options.hostPorts?.join(',') ?? serviceName);
    this.chain = options.middlewares?.length ? compose(options.middlewares, this.endpoint) : undefined;
  }

  /** The instances the client knows (from `hostPorts` or its resolver), with their state and load. */
  instances(): InstanceStatus[] {
    return this.addresses.instances();
  }

  /** Opens a client-streaming call: `send` × n, then `closeAndRecv`. */
  async clientStreaming(method: string, opts: CallOptions = {}): Promise<ClientStream<Req, Res>> {
    const codec = this.bind(method, 'client', 'clientStreaming');
    if (!this.addresses.ready) await this.addresses.whenReady();
    const chain = this.chainFor(opts);
    if (chain) return new ClientStream(await this.openThrough(chain, codec, opts), method);
    return new ClientStream(new CodecCall(this.open(codec, opts), codec), method);
  }

  /** Sends one request and returns the stream of responses. */
  async serverStreaming(method: string, req: Req, opts: CallOptions = {}): Promise<ServerStream<Req, Res>> {
    const codec = this.bind(method, 'server', 'serverStreaming');
    const chain = this.chainFor(opts);
    if (chain) {
      if (!this.addresses.ready) await this.addresses.whenReady();
      return new ServerStream(await this.openThrough(chain, codec, opts, req), method);
    }
    const bytes = codec.encodeRequest(req);
    if (!this.addresses.ready) await this.addresses.whenReady();
    const call = this.open(codec, opts);
    call.send(bytes).catch(() => undefined); // a failed send surfaces through recv()
    call.closeSend();
    return new ServerStream(new CodecCall(call, codec), method);
  }

  /** Opens a bidirectional call: independent `send`/`recv`, `close()` half-closes. */
  async bidiStreaming(method: string, opts: CallOptions = {}): Promise<BidiStream<Req, Res>> {
    const codec = this.bind(method, 'bidirectional', 'bidiStreaming');
    if (!this.addresses.ready) await this.addresses.whenReady();
    const chain = this.chainFor(opts);
    if (chain) return new BidiStream(await this.openThrough(chain, codec, opts), method);
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
    const chain = this.chainFor(opts);
    return chain ? this.unaryThrough(chain, codec, req, opts) : this.unaryCall(codec, req, opts);
  }

  private async unaryThrough(chain: CallHandler, codec: MethodCodec<Req, Res>, req: Req, opts: CallOptions): Promise<Res> {
    const call = this.newCall(codec, opts, false) as UnaryCall;
    call.request = req;
    return resultOf(call, await chain(call)).response as Res;
  }

  /**
   * The transport's part of a unary or ping-pong call. `reply`, when given (the middleware
   * chain's endpoint), gets the response headers and trailers, read from the ended call
   * (no await: they came before the call ended).
   */
  private async unaryCall(codec: MethodCodec<Req, Res>, req: Req, opts: CallOptions, reply?: UnaryResult): Promise<Res> {
    const bytes = codec.encodeRequest(req);
    // Calls wait for the resolver's first answer only (later answers arrive in the background).
    if (!this.addresses.ready) await this.addresses.whenReady();
    if (this.transport !== 'grpc') return this.pingPongCall(codec, bytes, opts, reply);
    const plan = this.governance?.plan(codec.name, opts, false);
    let call: ClientCall | RetryingCall;
    let res: Res;
    if (plan?.hedging) ({ call, res } = await this.hedgedUnary(codec, bytes, opts, plan));
    else {
      call = plan ? this.openGoverned(codec, opts, plan) : this.openGrpc(codec, opts, this.route(codec.name, opts), opts.timeoutMs ?? this.options.timeoutMs, 0);
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
    this.closed = true;
    const graceMs = opts.graceMs ?? DEFAULT_CLOSE_GRACE_MS;
    await Promise.all([this.grpc?.close(graceMs), this.ttstream?.close(graceMs), this.pingPong?.close(graceMs), this.addresses.close()]);
  }

  /** The chain a call runs through: the client's, or the client's and the call's own; undefined for none. */
  private chainFor(opts: CallOptions): CallHandler | undefined {
    if (!opts.middlewares?.length) return this.chain;
    return compose([...(this.options.middlewares ?? []), ...opts.middlewares], this.endpoint);
  }

  /**
   * A call as the chain gets it, without its message(s); metadata is a fresh object the chain
   * may change. One object literal (no spreads): this is on every call's path.
   */
  private newCall(codec: MethodCodec<Req, Res>, opts: CallOptions, stream: boolean): Partial<Call> & Stateful<Req, Res> {
    const timeoutMs = opts.timeoutMs ?? this.options.timeoutMs;
    const deadline = timeoutMs !== undefined ? Date.now() + timeoutMs : undefined;
    const path = codec.grpcPath;
    return {
      stream,
      side: 'client',
      service: path.slice(1, path.lastIndexOf('/')),
      method: codec.name,
      shape: codec.mode,
      transport: this.transport === 'ttstream' && (codec.mode === 'unary' || codec.mode === 'pingpong') ? 'framed' : this.transport,
      target: this.target,
      metadata: { ...this.options.metadata, ...opts.metadata },
      deadline,
      [ENDPOINT]: { codec, opts, deadline, link: {} },
    };
  }

  /** Opens a stream through `chain`; `single` is a server-streaming call's one request. */
  private async openThrough(chain: CallHandler, codec: MethodCodec<Req, Res>, opts: CallOptions, ...single: [Req] | []): Promise<PipedCall<Req, Res>> {
    const requests = new MessagePipe<unknown>();
    const call = this.newCall(codec, opts, true) as StreamCall;
    call.requests = requests;
    if (single.length) {
      void requests.push(single[0]).catch(() => undefined); // taken at once; a failed call says why through recv()
      requests.close();
    }
    const result = resultOf(call, await chain(call));
    return new PipedCall(requests, result, (call as StreamCall & Stateful<Req, Res>)[ENDPOINT].link);
  }

  /**
   * The innermost step of every chain: the call as the middlewares left it, handed to the
   * transport (the same path as a call without middlewares).
   */
  private readonly endpoint = async (call: Call): Promise<CallResult> => {
    const state = (call as Call & Stateful<Req, Res>)[ENDPOINT];
    if (state === undefined) throw new UsageError('a middleware passed on a call it did not receive (spread the call it got: next({ ...call, … }))');
    // Marked as resolved only where there is client metadata it could be merged with again.
    const opts: CallOptions = { ...state.opts, metadata: this.options.metadata ? sentAsIs(call.metadata) : call.metadata };
    if (call.deadline !== state.deadline) opts.timeoutMs = call.deadline === undefined ? undefined : Math.max(0, call.deadline - Date.now());
    if (call.stream) {
      const { codec, link } = state;
      const requests = codec.mode === 'server' ? await encodeOnlyRequest(codec, call.requests) : call.requests;
      return transportStream(this.open(codec, opts), codec, requests, link);
    }
    // Own data properties (a middleware may return `{ ...res, response }`); the call fills in header and trailer.
    const reply: UnaryResult = { stream: false, response: undefined, header: {}, trailer: {} };
    reply.response = await this.unaryCall(state.codec, call.request as Req, opts, reply);
    return reply;
  };

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

  /**
   * Where this call goes (the resolver has answered): its address, and the chooser of another
   * for when that one cannot be reached.
   */
  private route(method: string, opts: CallOptions): Route {
    if (this.closed) throw new UsageError('the client is closed');
    const a = this.addresses;
    const req: PickRequest = { method, hashKey: this.hashKeyOf(opts) };
    const hostPort = a.pickAddress(req);
    return a.several ? { hostPort, nextHostPort: (tried) => a.nextAddress(req, tried) } : { hostPort };
  }

  /**
   * The route of one attempt of a governed call: past instances whose breaker is open, and —
   * when more than one is known — past those earlier attempts of this call went to (unless
   * every one was tried). Adds the address to `tried`.
   */
  private governedRoute(method: string, opts: CallOptions, tried: Set<string>, now: number): Route {
    if (this.closed) throw new UsageError('the client is closed');
    const a = this.addresses;
    const breakers = this.governance!.breakers;
    const req: PickRequest = { method, hashKey: this.hashKeyOf(opts), exclude: breakers?.excluded(now) };
    let hostPort = tried.size > 0 && a.several ? a.nextAddress(req, tried) : undefined;
    if (hostPort === undefined) {
      try {
        hostPort = a.pickAddress(req);
      } catch (e) {
        if (req.exclude !== undefined && this.instances().length > 0) throw breakers!.allOpen();
        throw e;
      }
    }
    tried.add(hostPort);
    return a.several ? { hostPort, nextHostPort: (t) => a.nextAddress(req, t) } : { hostPort };
  }

  /** Lets an attempt to `hostPort` through the method's and the instance's breakers (throws when the method's is open). */
  private admit(method: string, hostPort: string, now: number): Admission | undefined {
    const b = this.governance!.breakers;
    if (b === undefined) return undefined;
    return { method: b.admitMethod(method, now), instance: b.admitInstance(hostPort, now) };
  }

  /** The attempt listener of a call that has a retry or hedging policy. */
  private attemptListener(opts: CallOptions, plan: CallPlan): ((info: AttemptInfo) => void) | undefined {
    return plan.retry || plan.hedging ? (opts.onAttempt ?? this.options.onAttempt) : undefined;
  }

  /** The call's consistent hashing key: its `hashKey`, else the configured metadata entry. */
  private hashKeyOf(opts: CallOptions): string | undefined {
    if (opts.hashKey !== undefined) return opts.hashKey;
    const key = this.options.consistentHash?.metadataKey;
    if (key === undefined) return undefined;
    const v = opts.metadata?.[key] ?? this.options.metadata?.[key];
    return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
  }

  private open(codec: MethodCodec<Req, Res>, opts: CallOptions): TransportCall {
    if (this.transport === 'ttstream') return this.openTTStream(codec, opts, this.route(codec.name, opts));
    const gov = this.governance;
    if (gov !== undefined) return this.openGoverned(codec, opts, gov.plan(codec.name, opts, false));
    return this.openGrpc(codec, opts, this.route(codec.name, opts), opts.timeoutMs ?? this.options.timeoutMs, 0);
  }

  /**
   * A gRPC call under the client's policies: with a retry policy, a {@link RetryingCall}
   * whose attempts each pass the breakers and go to another instance when there is one;
   * otherwise a single attempt through the breakers.
   */
  private openGoverned(codec: MethodCodec<Req, Res>, opts: CallOptions, plan: CallPlan): ClientCall | RetryingCall {
    const timeoutMs = opts.timeoutMs ?? plan.timeoutMs ?? this.options.timeoutMs;
    const deadlineAt = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    const tried = new Set<string>();
    const onAttempt = this.attemptListener(opts, plan);
    const start = (n: number, cause?: RetryCause): ClientCall => this.grpcAttempt(codec, opts, tried, deadlineAt, n, onAttempt, cause);
    const r = plan.retry;
    if (r === undefined) return start(0);
    const gov = this.governance!;
    const rules = { ...r, throttle: gov.throttle, buffer: gov.buffer, signal: opts.signal, deadlineAt };
    return new RetryingCall(rules, start);
  }

  /** Unary gRPC hedging: attempts on a timer, the first answer wins, the others get RST_STREAM(CANCEL). */
  private hedgedUnary(codec: MethodCodec<Req, Res>, bytes: Uint8Array, opts: CallOptions, plan: CallPlan): Promise<{ call: ClientCall; res: Res }> {
    const timeoutMs = opts.timeoutMs ?? plan.timeoutMs ?? this.options.timeoutMs;
    const deadlineAt = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    const tried = new Set<string>();
    const onAttempt = this.attemptListener(opts, plan);
    return hedge({ ...plan.hedging!, throttle: this.governance!.throttle }, (n) => {
      const call = this.grpcAttempt(codec, opts, tried, deadlineAt, n, onAttempt, undefined);
      call.send(bytes).catch(noop);
      call.closeSend();
      const result = receiveSingle(call, codec).then((res) => ({ call, res }));
      return { result, cancel: (reason) => call.cancel(reason) };
    });
  }

  /** One attempt of a governed gRPC call: route, breakers, `grpc-previous-rpc-attempts`, the deadline left. */
  private grpcAttempt(
    codec: MethodCodec<Req, Res>,
    opts: CallOptions,
    tried: Set<string>,
    deadlineAt: number | undefined,
    n: number,
    onAttempt: ((info: AttemptInfo) => void) | undefined,
    cause: RetryCause | undefined,
  ): ClientCall {
    const now = performance.now();
    const route = this.governedRoute(codec.name, opts, tried, now);
    const admission = this.admit(codec.name, route.hostPort, now);
    if (admission === undefined) {
      onAttempt?.(attemptInfo(n, route.hostPort, cause));
      return this.openGrpc(codec, opts, route, deadlineAt === undefined ? undefined : deadlineAt - now, n);
    }
    const breakers = this.governance!.breakers!;
    let call: ClientCall;
    try {
      onAttempt?.(attemptInfo(n, route.hostPort, cause));
      call = this.openGrpc(codec, opts, route, deadlineAt === undefined ? undefined : deadlineAt - now, n);
    } catch (e) {
      breakers.abandon(admission); // nothing went out (bad metadata…): no verdict on the instance
      throw e;
    }
    void call.status.then((st) => breakers.record(admission, st.code, performance.now()));
    return call;
  }

  /** A gRPC call to `route`; `previousAttempts` > 0 marks a retry or hedge (`grpc-previous-rpc-attempts`). */
  private openGrpc(codec: MethodCodec<Req, Res>, opts: CallOptions, route: Route, timeoutMs: number | undefined, previousAttempts: number): ClientCall {
    this.grpc ??= new GrpcChannel({
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
  private openTTStream(codec: MethodCodec<Req, Res>, opts: CallOptions, route: Route): TransportCall {
    this.ttstream ??= new TTStreamClient({
      hostPorts: [],
      onConnectionState: this.addresses.connectionEvent,
      ...pick(this.options, ['connectTimeoutMs', 'maxReceiveMessageBytes', 'maxSendMessageBytes', 'fromService', 'onConnect']),
      ...(this.options.maxConnectionsPerHost !== undefined ? { connectionsPerHost: this.options.maxConnectionsPerHost } : {}),
      ...(this.options.ttstreamReset !== undefined ? { reset: this.options.ttstreamReset } : {}),
    });
    // streams over ttstream are not retried, but take their method's timeout
    const timeoutMs = opts.timeoutMs ?? this.governance?.plan(codec.name, opts, false).timeoutMs ?? this.options.timeoutMs;
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

  private async pingPongCall(codec: MethodCodec<Req, Res>, body: Uint8Array, opts: CallOptions, reply: UnaryResult | undefined): Promise<Res> {
    const plan = this.governance?.plan(codec.name, opts, true);
    const answer = plan
      ? await this.governedPingPong(codec, body, opts, plan)
      : await this.pingPongAttempt(codec, body, opts, this.route(codec.name, opts), opts.timeoutMs ?? this.options.timeoutMs, opts.signal);
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

  /**
   * A ping-pong call under the client's policies: Kitex's failure retry (each attempt has the
   * whole timeout), or backup requests (hedging: the deadline covers all; a losing attempt's
   * connection is closed), every attempt through the breakers.
   */
  private governedPingPong(codec: MethodCodec<Req, Res>, body: Uint8Array, opts: CallOptions, plan: CallPlan): Promise<PingPongReply | undefined> {
    const gov = this.governance!;
    const method = codec.name;
    const timeoutMs = opts.timeoutMs ?? plan.timeoutMs ?? this.options.timeoutMs;
    const tried = new Set<string>();
    const onAttempt = this.attemptListener(opts, plan);
    const attempt = (n: number, cause: RetryCause | undefined, timeout: number | undefined, signal: AbortSignal | undefined): Promise<PingPongReply | undefined> => {
      const now = performance.now();
      const route = this.governedRoute(method, opts, tried, now);
      const admission = this.admit(method, route.hostPort, now);
      if (admission === undefined) {
        onAttempt?.(attemptInfo(n, route.hostPort, cause, plan.hedging !== undefined));
        return this.pingPongAttempt(codec, body, opts, route, timeout, signal);
      }
      const breakers = gov.breakers!;
      let p: Promise<PingPongReply | undefined>;
      try {
        onAttempt?.(attemptInfo(n, route.hostPort, cause, plan.hedging !== undefined));
        p = this.pingPongAttempt(codec, body, opts, route, timeout, signal);
      } catch (e) {
        breakers.abandon(admission); // nothing went out: no verdict on the instance
        throw e;
      }
      return p.then(
        (r) => (breakers.record(admission, Code.OK, performance.now()), r),
        (e: unknown) => {
          breakers.record(admission, e instanceof RpcError ? e.code : Code.UNKNOWN, performance.now());
          throw e;
        },
      );
    };
    const h = plan.hedging;
    if (h !== undefined) {
      const deadlineAt = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
      const holdBack = (): string | undefined => gov.ratio.check(method, h.maxRetryRatio, performance.now());
      return hedge({ ...h, throttle: gov.throttle, holdBack }, (n): HedgeAttempt<PingPongReply | undefined> => {
        const now = performance.now();
        gov.ratio.record(method, n > 0, now);
        const own = new AbortController();
        const signal = opts.signal ? AbortSignal.any([opts.signal, own.signal]) : own.signal;
        const result = attempt(n, undefined, deadlineAt === undefined ? undefined : deadlineAt - now, signal);
        return { result, cancel: (reason) => own.abort(new RpcError(Code.CANCELLED, reason)) };
      });
    }
    const r = plan.retry;
    if (r === undefined) return attempt(0, undefined, timeoutMs, opts.signal);
    const rules = { ...r, method, ratio: { limit: gov.ratio, maxRatio: r.maxRetryRatio }, throttle: gov.throttle, signal: opts.signal };
    return failureRetry(rules, (n, cause) => attempt(n, cause, timeoutMs, opts.signal));
  }

  /** One ping-pong exchange with `route` (its promise as the transport gives it: no extra layer). */
  private pingPongAttempt(
    codec: MethodCodec<Req, Res>,
    body: Uint8Array,
    opts: CallOptions,
    route: Route,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<PingPongReply | undefined> {
    this.pingPong ??= new PingPongClient({
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
    const request = {
      method: codec.name,
      body,
      oneway: codec.oneway,
      toService: this.serviceName,
      idlServiceName: this.generic.serviceName,
      ...route,
      ...(this.options.metadata || opts.metadata ? { metadata: stringMetadata(mergeMetadata(this.options.metadata, opts.metadata)) } : {}),
      ...(persistentMetadata ? { persistentMetadata } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(signal ? { signal } : {}),
    };
    if (!this.addresses.tracksLoad) return this.pingPong.call(request);
    const done = this.addresses.callStarted(route.hostPort);
    return this.pingPong.call(request).finally(done);
  }
}

/** Where a call goes: its address, and the chooser of another for when that one cannot be reached. */
interface Route {
  hostPort: string;
  nextHostPort?: (tried: ReadonlySet<string>) => string | undefined;
}

/** What `onAttempt` hears of attempt `n` (0-based): a retry when it has a cause, else first or a hedge. */
function attemptInfo(n: number, hostPort: string, cause: RetryCause | undefined, hedged = cause === undefined): AttemptInfo {
  if (n === 0) return { attempt: 1, hostPort, kind: 'first' };
  if (cause !== undefined) return { attempt: n + 1, hostPort, kind: 'retry', after: cause.after, delayMs: cause.delayMs };
  return { attempt: n + 1, hostPort, kind: hedged ? 'hedge' : 'retry' };
}

function noop(): void {}

function streamingCallName(mode: CallMode): string {
  return mode === 'client' ? 'clientStreaming' : mode === 'server' ? 'serverStreaming' : 'bidiStreaming';
}

function pick<T extends object, K extends keyof T>(obj: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

/**
 * The endpoint's state, carried on the call under a symbol: it survives `{ ...call }` in a
 * middleware, and no middleware reads it by accident.
 */
const ENDPOINT = Symbol('idlcall.endpoint');

interface EndpointState<Req, Res> {
  codec: MethodCodec<Req, Res>;
  opts: CallOptions;
  /** The deadline middlewares were shown, to tell whether one changed it. */
  deadline: number | undefined;
  link: StreamLink;
}

interface Stateful<Req, Res> {
  [ENDPOINT]: EndpointState<Req, Res>;
}

/** Metadata the chain resolved from the client's and the call's: the transport sends it as it is. */
const resolvedMetadata = new WeakSet<RequestMetadata>();

function sentAsIs(md: RequestMetadata): RequestMetadata {
  resolvedMetadata.add(md);
  return md;
}

function mergeMetadata(a: RequestMetadata | undefined, b: RequestMetadata | undefined): RequestMetadata {
  if (!a || (b && resolvedMetadata.has(b))) return b ?? {};
  if (!b) return a;
  return { ...a, ...b };
}

function mergePersistent(a: Record<string, string> | undefined, b: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!a) return b;
  if (!b) return a;
  return { ...a, ...b };
}

/** TTHeader metainfo carries strings only. */
function stringMetadata(md: RequestMetadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md)) {
    if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.join(',');
    else throw new UsageError(`metadata "${k}": binary values need the grpc transport`);
  }
  return out;
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
