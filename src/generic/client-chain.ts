/**
 * A client's calls through its middlewares: the call as the chain sees it, the chain per
 * call (the client's middlewares, and the call's own), and the endpoint at its end that
 * hands the call, as the middlewares left it, to the transport.
 */
import { UsageError } from '../errors/usage-error.js';
import type { PingPongTransport } from '../ttheader/index.js';
import { compose, resultOf } from '../governance/compose.js';
import { MessagePipe } from '../governance/message-pipe.js';
import type { Call, CallHandler, CallResult, StreamCall, UnaryCall, UnaryResult } from '../governance/middleware.js';
import type { MethodCodec } from './method-codec.js';
import type { CallOptions, ClientOptions } from './options.js';
import { PipedCall, encodeOnlyRequest, transportStream, type StreamLink } from './piped-call.js';
import type { TransportCall } from './transport-call.js';
import { sentAsIs } from './call-metadata.js';

/** The client's own steps the endpoint calls. */
export interface ChainedTransport<Req, Res> {
  /** A unary or ping-pong call; fills in `reply`'s header and trailer. */
  unary(codec: MethodCodec<Req, Res>, req: Req, opts: CallOptions, reply: UnaryResult): Promise<Res>;
  /** Opens a stream. */
  open(codec: MethodCodec<Req, Res>, opts: CallOptions): TransportCall;
}

/** A client's middleware chain (see the module comment). */
export class ClientChain<Req, Res> {
  /** The client's middlewares around the transport, composed once; undefined when there are none. */
  private readonly chain: CallHandler | undefined;

  constructor(
    private readonly options: ClientOptions,
    private readonly transport: 'grpc' | 'ttstream' | PingPongTransport,
    /** What middlewares see as the call's target. */
    private readonly target: string,
    private readonly inner: ChainedTransport<Req, Res>,
  ) {
    this.chain = options.middlewares?.length ? compose(options.middlewares, this.endpoint) : undefined;
  }

  /** The chain a call runs through: the client's, or the client's and the call's own; undefined for none. */
  for(opts: CallOptions): CallHandler | undefined {
    if (!opts.middlewares?.length) return this.chain;
    return compose([...(this.options.middlewares ?? []), ...opts.middlewares], this.endpoint);
  }

  /**
   * A unary or ping-pong call through `chain`. Not itself async (one promise fewer per call):
   * a middleware that throws before returning a promise still rejects the call.
   */
  unary(chain: CallHandler, codec: MethodCodec<Req, Res>, req: Req, opts: CallOptions): Promise<Res> {
    const call = this.newCall(codec, opts, false) as UnaryCall;
    call.request = req;
    let result: Promise<CallResult>;
    try {
      result = chain(call);
    } catch (e) {
      return Promise.reject(e);
    }
    return result.then((r) => resultOf(call, r).response as Res);
  }

  /** Opens a stream through `chain`; `single` is a server-streaming call's one request. */
  async open(chain: CallHandler, codec: MethodCodec<Req, Res>, opts: CallOptions, ...single: [Req] | []): Promise<PipedCall<Req, Res>> {
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

  /**
   * The innermost step of every chain: the call as the middlewares left it, handed to the
   * transport (the same path as a call without middlewares).
   */
  private readonly endpoint = (call: Call): Promise<CallResult> => {
    const state = (call as Call & Stateful<Req, Res>)[ENDPOINT];
    if (state === undefined) return Promise.reject(new UsageError('a middleware passed on a call it did not receive (spread the call it got: next({ ...call, … }))'));
    // Marked as resolved only where there is client metadata it could be merged with again.
    const opts: CallOptions = { ...state.opts, metadata: this.options.metadata ? sentAsIs(call.metadata) : call.metadata };
    if (call.deadline !== state.deadline) opts.timeoutMs = call.deadline === undefined ? undefined : Math.max(0, call.deadline - Date.now());
    if (call.stream) return this.openStream(call, state, opts);
    // Own data properties (a middleware may return `{ ...res, response }`); the call fills in header and trailer.
    const reply: UnaryResult = { stream: false, response: undefined, header: {}, trailer: {} };
    return this.inner.unary(state.codec, call.request as Req, opts, reply).then((res) => {
      reply.response = res;
      return reply;
    });
  };

  /** The endpoint's part of a stream: opens it on the transport with the requests as the middlewares left them. */
  private async openStream(call: StreamCall, state: EndpointState<Req, Res>, opts: CallOptions): Promise<CallResult> {
    const { codec, link } = state;
    const requests = codec.mode === 'server' ? await encodeOnlyRequest(codec, call.requests) : call.requests;
    return transportStream(this.inner.open(codec, opts), codec, requests, link);
  }
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
