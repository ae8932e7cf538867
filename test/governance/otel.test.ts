/**
 * otelMiddleware with the OpenTelemetry SDK (in-memory span exporter, a metric reader): a
 * call from a client goes to an idlcall server whose handler calls a second idlcall server,
 * over gRPC and over TTHeader (and a stream over ttstream). All four spans share one trace
 * id and chain parent to child; the trace context travels under the keys
 * kitex-contrib/obs-opentelemetry uses (`traceparent` over gRPC, `RPC_TRANSIT_traceparent`
 * over TTHeader); spans carry the rpc.* attributes and the status; the duration histograms
 * are recorded.
 */
import * as api from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Code,
  RpcError,
  jsonThriftGeneric,
  newClient,
  newGenericServer,
  newStreamingClient,
  otelMiddleware,
  thriftFileProvider,
  type ClientOptions,
  type GenericClient,
  type GenericServer,
  type Metadata,
  type ServerContext,
} from '../../src/index.js';
import { messageOf as text, reply as m } from '../support/messages.js';

const IDL = 'examples/idl/streaming.thrift';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const reader = new TestReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();
const otel = otelMiddleware({ api, tracerProvider, meterProvider, propagator: new W3CTraceContextPropagator() });

let front: GenericServer<string, string>;
let back: GenericServer<string, string>;
/** Metadata the back server's handler received, by transport. */
const backSaw: Record<string, Metadata> = {};

async function generic() {
  return jsonThriftGeneric(await thriftFileProvider(IDL));
}

function clientFor(transport: 'grpc' | 'ttheader' | 'ttstream', hostPort: string, extra: Partial<ClientOptions> = {}): Promise<GenericClient<string, string>> {
  return generic().then((g) =>
    transport === 'ttheader'
      ? newClient('TestService', g, { hostPorts: [hostPort], middlewares: [otel], ...extra })
      : newStreamingClient('TestService', g, { hostPorts: [hostPort], transport, middlewares: [otel], ...extra }),
  );
}

const downstream: Record<string, GenericClient<string, string>> = {};

beforeAll(async () => {
  contextManager.enable();
  api.context.setGlobalContextManager(contextManager);
  const remember = (ctx: ServerContext): void => void (backSaw[ctx.transport] = ctx.metadata);
  back = newGenericServer(
    await generic(),
    {
      EchoUnary: (req: string, ctx: ServerContext) => (remember(ctx), req),
      EchoPingPong: (req: string, ctx: ServerContext) => {
        remember(ctx);
        if (text(req) === 'fail') throw new RpcError(Code.NOT_FOUND, 'no such thing');
        return req;
      },
      EchoServer: async function* (req: string, ctx: ServerContext) {
        remember(ctx);
        yield req;
      },
    } as never,
    { middlewares: [otel] },
  );
  await back.start();
  for (const t of ['grpc', 'ttheader', 'ttstream'] as const) downstream[t] = await clientFor(t, back.hostPort);
  // The front server's handlers call the back server the same way they were called.
  front = newGenericServer(
    await generic(),
    {
      EchoUnary: async (req: string) => downstream.grpc!.genericCall('EchoUnary', req),
      EchoPingPong: async (req: string) => downstream.ttheader!.genericCall('EchoPingPong', req),
      EchoServer: async function* (req: string) {
        // Pulled by the transport after the handler started: the span's context must still hold.
        for await (const r of await downstream.ttstream!.serverStreaming('EchoServer', req)) yield r;
      },
    } as never,
    { middlewares: [otel] },
  );
  await front.start();
});

afterAll(async () => {
  for (const c of Object.values(downstream)) await c.close();
  await front?.close();
  await back?.close();
  api.context.disable();
  contextManager.disable();
});

beforeEach(() => exporter.reset());

/** The finished spans, parent before child, checked to form one chain in one trace. */
function chain(): ReadableSpan[] {
  const spans = exporter.getFinishedSpans();
  const root = spans.find((s) => s.parentSpanContext === undefined);
  expect(root, 'a root span').toBeDefined();
  const out = [root!];
  for (;;) {
    const last = out.at(-1)!;
    const child = spans.find((s) => s.parentSpanContext?.spanId === last.spanContext().spanId);
    if (!child) break;
    out.push(child);
  }
  expect(out.length).toBe(spans.length);
  for (const s of out) expect(s.spanContext().traceId).toBe(root!.spanContext().traceId);
  return out;
}

describe.each([
  { transport: 'grpc' as const, method: 'EchoUnary', system: 'grpc' },
  { transport: 'ttheader' as const, method: 'EchoPingPong', system: 'kitex' },
])('a trace across client → idlcall server → idlcall server over $transport', ({ transport, method, system }) => {
  it('one trace id, CLIENT → SERVER → CLIENT → SERVER, rpc.* attributes, the context under obs-opentelemetry keys', async () => {
    const cli = await clientFor(transport, front.hostPort);
    try {
      expect(text(await cli.genericCall(method, m('hi')))).toBe('hi');
    } finally {
      await cli.close();
    }
    const spans = chain();
    expect(spans.map((s) => s.kind)).toEqual([api.SpanKind.CLIENT, api.SpanKind.SERVER, api.SpanKind.CLIENT, api.SpanKind.SERVER]);
    for (const s of spans) {
      expect(s.name).toBe(`TestService/${method}`);
      expect(s.attributes).toMatchObject({ 'rpc.system': system, 'rpc.service': 'TestService', 'rpc.method': method });
      if (system === 'grpc') expect(s.attributes['rpc.grpc.status_code']).toBe(Code.OK);
      expect(s.status.code).toBe(api.SpanStatusCode.UNSET);
    }
    // What crossed the wire to the back server: W3C traceparent naming the calling span.
    const caller = spans[2]!.spanContext();
    const key = transport === 'grpc' ? 'traceparent' : 'RPC_TRANSIT_traceparent';
    expect(backSaw[transport]![key]).toBe(`00-${caller.traceId}-${caller.spanId}-01`);
  });
});

describe('otelMiddleware', () => {
  it('a stream over ttstream: the handler that calls on while streaming stays in its span', async () => {
    const cli = await clientFor('ttstream', front.hostPort);
    try {
      const got: string[] = [];
      for await (const r of await cli.serverStreaming('EchoServer', m('s'))) got.push(text(r));
      expect(got).toEqual(['s']);
    } finally {
      await cli.close();
    }
    const spans = chain();
    expect(spans.map((s) => [s.kind, s.attributes['rpc.system'], s.attributes['request.protocol']])).toEqual([
      [api.SpanKind.CLIENT, 'kitex', 'ttstream'],
      [api.SpanKind.SERVER, 'kitex', 'ttstream'],
      [api.SpanKind.CLIENT, 'kitex', 'ttstream'],
      [api.SpanKind.SERVER, 'kitex', 'ttstream'],
    ]);
    expect(backSaw.ttstream!['RPC_TRANSIT_traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('a failed call ends its spans with status ERROR and the code', async () => {
    const cli = await clientFor('grpc', back.hostPort);
    try {
      await expect(cli.genericCall('EchoPingPong', m('fail'))).rejects.toBeInstanceOf(RpcError);
    } finally {
      await cli.close();
    }
    const [client, server] = chain();
    for (const s of [client!, server!]) {
      expect(s.status.code).toBe(api.SpanStatusCode.ERROR);
      expect(s.attributes['rpc.grpc.status_code']).toBe(Code.NOT_FOUND);
    }
  });

  it('a call made inside an application span is its child', async () => {
    const cli = await clientFor('ttheader', back.hostPort);
    const tracer = tracerProvider.getTracer('app');
    try {
      await tracer.startActiveSpan('handle request', async (span) => {
        await cli.genericCall('EchoPingPong', m('x'));
        span.end();
      });
    } finally {
      await cli.close();
    }
    expect(chain().map((s) => s.name)).toEqual(['handle request', 'TestService/EchoPingPong', 'TestService/EchoPingPong']);
  });

  it('records rpc.client.duration and rpc.server.duration', async () => {
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    for (const name of ['rpc.client.duration', 'rpc.server.duration']) {
      const h = metrics.find((x) => x.descriptor.name === name) as HistogramMetricData | undefined;
      expect(h, name).toBeDefined();
      expect(h!.descriptor.unit).toBe('ms');
      const points = h!.dataPoints;
      expect(points.some((p) => p.attributes['rpc.method'] === 'EchoUnary' && p.attributes['rpc.grpc.status_code'] === Code.OK && p.value.count >= 1)).toBe(true);
      expect(points.some((p) => p.attributes['rpc.system'] === 'kitex' && p.attributes['status.code'] === 'Unset')).toBe(true);
    }
  });
});
