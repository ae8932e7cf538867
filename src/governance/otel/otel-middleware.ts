import type * as otel from '@opentelemetry/api';
import { Code } from '../../errors/status-code.js';
import { RpcError } from '../../errors/rpc-error.js';
import { UsageError } from '../../errors/usage-error.js';
import { messageOf } from '../../errors/message-of.js';
import type { Call, CallHandler, CallResult, Middleware } from '../middleware.js';
import { metadataGetter, metadataSetter } from './metadata-carrier.js';

/**
 * Options for {@link otelMiddleware}. The types are spelled out here, not taken from
 * `@opentelemetry/api`, so that the package's declarations type-check without it.
 */
export interface OtelMiddlewareOptions {
  /**
   * The `@opentelemetry/api` module (`import * as api from '@opentelemetry/api'`). Default:
   * imported on the first call, so an application that never uses the middleware never
   * loads it. Pass it to be sure the same copy as the application's SDK is used.
   */
  api?: object;
  /** Where spans go; default the global tracer provider. */
  tracerProvider?: { getTracer(name: string, version?: string): object };
  /** Where the duration histograms go; default the global meter provider. */
  meterProvider?: { getMeter(name: string, version?: string): object };
  /** How trace context travels; default the global propagator (W3C trace context with the SDK's defaults). */
  propagator?: {
    inject(context: never, carrier: never, setter: never): void;
    extract(context: never, carrier: never, getter: never): unknown;
    fields(): string[];
  };
}

/** The instrumentation scope name of the spans and metrics. */
const SCOPE = 'idlcall';

interface Instruments {
  api: typeof otel;
  tracer: otel.Tracer;
  propagator: otel.TextMapPropagator | undefined;
  clientDuration: otel.Histogram;
  serverDuration: otel.Histogram;
}

/**
 * A middleware that traces calls with OpenTelemetry, on a client (CLIENT spans, trace context
 * injected into the call's metadata) and on a server (SERVER spans, children of the context
 * the caller sent; handlers run inside them, so calls they make join the trace). Spans are
 * named `service/method` and carry the `rpc.*` semantic conventions: `rpc.system` (`grpc`, or
 * `kitex` for TTHeader, Framed and ttstream, as kitex-contrib/obs-opentelemetry reports),
 * `rpc.service`, `rpc.method`, `rpc.grpc.status_code`. Durations are recorded in the
 * `rpc.client.duration` / `rpc.server.duration` histograms (ms). Trace context travels as
 * `traceparent` / `tracestate` gRPC headers, or as Kitex transient metainfo
 * (`RPC_TRANSIT_traceparent`) over TTHeader and ttstream, the keys obs-opentelemetry uses.
 *
 * `@opentelemetry/api` is an optional peer dependency: it is loaded on the first call
 * (or given as `opts.api`).
 */
export function otelMiddleware(opts: OtelMiddlewareOptions = {}): Middleware {
  let instruments: Instruments | undefined;
  let loading: Promise<Instruments> | undefined;
  return (next) => async (call) => {
    const inst = instruments ?? (await (loading ??= load(opts).then((i) => (instruments = i))));
    return call.side === 'client' ? traceClient(inst, next, call) : traceServer(inst, next, call);
  };
}

async function load(opts: OtelMiddlewareOptions): Promise<Instruments> {
  let api = opts.api as typeof otel | undefined;
  if (api === undefined) {
    try {
      api = await import('@opentelemetry/api');
    } catch (err) {
      throw new UsageError(`otelMiddleware needs @opentelemetry/api (npm install @opentelemetry/api): ${messageOf(err)}`);
    }
  }
  const tracer = ((opts.tracerProvider as otel.TracerProvider | undefined) ?? api.trace.getTracerProvider()).getTracer(SCOPE);
  const meter = ((opts.meterProvider as otel.MeterProvider | undefined) ?? api.metrics.getMeterProvider()).getMeter(SCOPE);
  return {
    api,
    tracer,
    propagator: opts.propagator as otel.TextMapPropagator | undefined,
    clientDuration: meter.createHistogram('rpc.client.duration', { unit: 'ms', description: 'Duration of outbound RPCs' }),
    serverDuration: meter.createHistogram('rpc.server.duration', { unit: 'ms', description: 'Duration of inbound RPCs' }),
  };
}

function attributesOf(call: Call): otel.Attributes {
  return {
    'rpc.system': call.transport === 'grpc' ? 'grpc' : 'kitex',
    'rpc.service': call.service,
    'rpc.method': call.method,
    'request.protocol': call.transport,
  };
}

async function traceClient(inst: Instruments, next: CallHandler, call: Call): Promise<CallResult> {
  const { api } = inst;
  const parent = api.context.active();
  const attributes = attributesOf(call);
  const span = inst.tracer.startSpan(`${call.service}/${call.method}`, { kind: api.SpanKind.CLIENT, attributes }, parent);
  const ctx = api.trace.setSpan(parent, span);
  if (inst.propagator) inst.propagator.inject(ctx, call.metadata, metadataSetter);
  else api.propagation.inject(ctx, call.metadata, metadataSetter);
  const end = finisher(inst, span, attributes, inst.clientDuration);
  return run(api, ctx, next, call, end);
}

async function traceServer(inst: Instruments, next: CallHandler, call: Call): Promise<CallResult> {
  const { api } = inst;
  const remote = inst.propagator
    ? (inst.propagator.extract(api.ROOT_CONTEXT, call.metadata, metadataGetter) as otel.Context)
    : api.propagation.extract(api.ROOT_CONTEXT, call.metadata, metadataGetter);
  const attributes = attributesOf(call);
  if (call.peer) attributes['network.peer.address'] = call.peer;
  const span = inst.tracer.startSpan(`${call.service}/${call.method}`, { kind: api.SpanKind.SERVER, attributes }, remote);
  const ctx = api.trace.setSpan(remote, span);
  return run(api, ctx, next, call, finisher(inst, span, attributes, inst.serverDuration));
}

/**
 * Runs the rest of the chain inside the span's context and ends the span with the call: at
 * once for a unary call, where the response stream ends for a stream (whose messages are
 * also pulled inside the context, so a streaming handler's own calls join the trace).
 */
async function run(api: typeof otel, ctx: otel.Context, next: CallHandler, call: Call, end: (err?: unknown) => void): Promise<CallResult> {
  let res: CallResult;
  try {
    res = await api.context.with(ctx, next, undefined, call);
  } catch (err) {
    end(err);
    throw err;
  }
  if (!res.stream) {
    end();
    return res;
  }
  return { ...res, responses: endingWith(api, ctx, res.responses, end) };
}

function endingWith(api: typeof otel, ctx: otel.Context, responses: AsyncIterable<unknown>, end: (err?: unknown) => void): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]() {
      const it = responses[Symbol.asyncIterator]();
      let done = false;
      const finish = (err?: unknown): void => {
        if (done) return;
        done = true;
        end(err);
      };
      return {
        async next() {
          try {
            const r = await api.context.with(ctx, () => it.next());
            if (r.done) finish();
            return r;
          } catch (err) {
            finish(err);
            throw err;
          }
        },
        async return(value?: unknown) {
          finish(new RpcError(Code.CANCELLED, 'the reader stopped'));
          return (await it.return?.(value)) ?? { done: true, value: undefined };
        },
      };
    },
  };
}

/** Ends `span` with the call's status and records its duration. */
function finisher(inst: Instruments, span: otel.Span, attributes: otel.Attributes, histogram: otel.Histogram): (err?: unknown) => void {
  const start = performance.now();
  return (err?: unknown) => {
    const code = err === undefined ? Code.OK : err instanceof RpcError ? err.code : Code.UNKNOWN;
    const grpc = attributes['rpc.system'] === 'grpc';
    if (grpc) span.setAttribute('rpc.grpc.status_code', code);
    if (err !== undefined) {
      if (err instanceof Error) span.recordException(err);
      span.setStatus({ code: inst.api.SpanStatusCode.ERROR, message: messageOf(err) });
    }
    span.end();
    // obs-opentelemetry's metric attributes: the span's rpc.* ones and its status
    histogram.record(performance.now() - start, { ...attributes, ...(grpc ? { 'rpc.grpc.status_code': code } : { 'status.code': err === undefined ? 'Unset' : 'Error' }) });
  };
}
