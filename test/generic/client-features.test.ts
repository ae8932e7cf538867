import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Code,
  DeclaredException,
  thriftException,
  RpcError,
  UsageError,
  binaryPbGeneric,
  binaryThriftGeneric,
  jsonPbGeneric,
  jsonThriftGeneric,
  mapPbGeneric,
  mapThriftGeneric,
  newClient,
  newGenericServer,
  newServerStreaming,
  newStreamingClient,
  protoFileProvider,
  thriftFileProvider,
  type GenericServer,
} from '../../src/index.js';

// Client features beyond the seed examples, against our own generic server: service
// selection, object and binary generics, stream headers/trailers, cancellation, abort
// signals, deadlines, and client close.
const servers: GenericServer<never, never>[] = [];
let second: GenericServer<string, string>;
let aborted = 0;

beforeAll(async () => {
  const provider = await protoFileProvider('test/fixtures/generic/two_services.proto');
  second = newGenericServer(jsonPbGeneric(provider), {
    Get: (req, ctx) => {
      ctx.setHeader('x-served-by', 'second');
      ctx.setTrailer('x-done', 'yes');
      return req;
    },
    async *Count(req, ctx) {
      const n = Number((JSON.parse(req) as { value?: string }).value ?? '0');
      ctx.setHeader('x-count', String(n));
      ctx.setTrailer('x-finished', 'true');
      ctx.signal.addEventListener('abort', () => aborted++);
      for (let i = 0; i < n; i++) {
        yield JSON.stringify({ value: String(i) });
        if (n > 100) await new Promise((r) => setTimeout(r, 5));
      }
    },
  });
  await second.start();
  servers.push(second as never);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('providers pick a service', () => {
  it('the last service by default, as Kitex does', async () => {
    const g = jsonPbGeneric(await protoFileProvider('test/fixtures/generic/two_services.proto'));
    expect(g.serviceName).toBe('Second');
    expect(g.methods().map((m) => m.name)).toEqual(['Get', 'Count']);
  });

  it('the service option picks another, and an unknown one is named', async () => {
    const g = jsonPbGeneric(await protoFileProvider('test/fixtures/generic/two_services.proto', { service: 'First' }));
    expect(g.serviceName).toBe('First');
    await expect(protoFileProvider('test/fixtures/generic/two_services.proto', { service: 'Frist' })).rejects.toThrow(
      /no service "Frist".*did you mean "First"/,
    );
  });

  it('a server for one service refuses calls routed to another', async () => {
    const g = jsonPbGeneric(await protoFileProvider('test/fixtures/generic/two_services.proto', { service: 'First' }));
    const cli = newStreamingClient('x', g, { hostPorts: [second.hostPort] });
    const err = await cli.genericCall('Get', '{}').catch((e: unknown) => e);
    expect((err as RpcError).code).toBe(Code.UNIMPLEMENTED);
    expect((err as RpcError).rawMessage).toBe('unknown service multi.First');
    await cli.close();
  });
});

describe('representations', () => {
  it('mapPbGeneric: plain objects in and out, 64-bit as bigint', async () => {
    const g = mapPbGeneric(await protoFileProvider('test/fixtures/generic/two_services.proto'));
    const cli = newStreamingClient('x', g, { hostPorts: [second.hostPort] });
    const res = await cli.genericCall('Get', { value: 9223372036854775807n, raw: new Uint8Array([1, 2]) });
    expect(res['value']).toBe(9223372036854775807n);
    expect(Array.from(res['raw'] as Uint8Array)).toEqual([1, 2]);
    await cli.close();
  });

  it('binaryPbGeneric: message bytes pass through untouched', async () => {
    const provider = await protoFileProvider('test/fixtures/generic/two_services.proto');
    const cli = newStreamingClient('x', binaryPbGeneric(provider), { hostPorts: [second.hostPort] });
    const bytes = provider.encodeJson('Num', '{"value":"-1"}');
    const res = await cli.genericCall('Get', bytes);
    expect(Buffer.from(res).equals(Buffer.from(bytes))).toBe(true);
    await cli.close();
  });

  it('mapThriftGeneric and binaryThriftGeneric over TTHeader', async () => {
    const provider = await thriftFileProvider('examples/idl/streaming.thrift');
    const server = newGenericServer(jsonThriftGeneric(provider), {
      EchoPingPong: (req) => JSON.stringify({ message: `pong: ${(JSON.parse(req) as { message: string }).message}` }),
    });
    servers.push(server as never);
    await server.start();
    const map = newClient('s', mapThriftGeneric(provider), { hostPorts: [server.hostPort] });
    expect(await map.genericCall('EchoPingPong', { message: 'obj' })).toEqual({ message: 'pong: obj' });
    const bin = newClient('s', binaryThriftGeneric(provider), { hostPorts: [server.hostPort] });
    const fn = provider.service!.functions.get('EchoPingPong')!;
    const args = provider.codec.encodeArgsJson(fn, '{"message":"raw"}');
    const result = await bin.genericCall('EchoPingPong', args);
    expect(provider.codec.decodeResultToJson(fn, result)).toBe('{"message":"pong: raw"}');
    await Promise.all([map.close(), bin.close()]);
  });
});

describe('streams', () => {
  it('expose response headers and trailers; the Kitex-style free function works', async () => {
    const cli = newStreamingClient('x', jsonPbGeneric(await protoFileProvider('test/fixtures/generic/two_services.proto')), {
      hostPorts: [second.hostPort],
    });
    const stream = await newServerStreaming(cli, 'Count', '{"value":"3"}');
    const got: string[] = [];
    for await (const r of stream) got.push(r);
    expect(got).toEqual(['{}', '{"value":"1"}', '{"value":"2"}']);
    expect((await stream.headers)['x-count']).toBe('3');
    expect((await stream.trailers)['x-finished']).toBe('true');
    await cli.close();
  });

  it('cancel() stops a stream on both sides', async () => {
    const cli = newStreamingClient('x', jsonPbGeneric(await protoFileProvider('test/fixtures/generic/two_services.proto')), {
      hostPorts: [second.hostPort],
    });
    const before = aborted;
    const stream = await cli.serverStreaming('Count', '{"value":"100000"}');
    expect(await stream.recv()).toBe('{}');
    stream.cancel();
    const err = await stream.recv().catch((e: unknown) => e);
    expect((err as RpcError).code).toBe(Code.CANCELLED);
    await expect.poll(() => aborted, { timeout: 5000 }).toBeGreaterThan(before);
    await cli.close();
  });

  it('leaving a for-await loop early cancels the call', async () => {
    const cli = newStreamingClient('x', jsonPbGeneric(await protoFileProvider('test/fixtures/generic/two_services.proto')), {
      hostPorts: [second.hostPort],
    });
    const before = aborted;
    const stream = await cli.serverStreaming('Count', '{"value":"100000"}');
    for await (const r of stream) {
      expect(r).toBe('{}');
      break;
    }
    await expect.poll(() => aborted, { timeout: 5000 }).toBeGreaterThan(before);
    await cli.close();
  });

  it('an AbortSignal cancels with CANCELLED; a deadline gives DEADLINE_EXCEEDED', async () => {
    const cli = newStreamingClient('x', jsonPbGeneric(await protoFileProvider('test/fixtures/generic/two_services.proto')), {
      hostPorts: [second.hostPort],
    });
    const ac = new AbortController();
    const stream = await cli.serverStreaming('Count', '{"value":"100000"}', { signal: ac.signal });
    await stream.recv();
    ac.abort();
    const cancelled = await (async () => {
      for (;;) await stream.recv();
    })().catch((e: unknown) => e);
    expect((cancelled as RpcError).code).toBe(Code.CANCELLED);
    const slow = await cli.serverStreaming('Count', '{"value":"100000"}', { timeoutMs: 100 });
    const expired = await (async () => {
      for (;;) if ((await slow.recv()) === undefined) return undefined;
    })().catch((e: unknown) => e);
    expect((expired as RpcError).code).toBe(Code.DEADLINE_EXCEEDED);
    await cli.close();
  });
});

describe('client lifecycle and usage errors', () => {
  it('a closed client refuses new calls', async () => {
    const cli = newStreamingClient('x', jsonPbGeneric(await protoFileProvider('test/fixtures/generic/two_services.proto')), {
      hostPorts: [second.hostPort],
    });
    expect(await cli.genericCall('Get', '{"value":"5"}')).toBe('{"value":"5"}');
    await cli.close();
    await expect(cli.genericCall('Get', '{}')).rejects.toThrow(UsageError);
  });

  it('streaming calls need gRPC or ttstream; options that contradict each other are refused', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider('examples/idl/streaming.thrift'));
    const cli = newClient('s', g, { hostPorts: ['127.0.0.1:1'] });
    await expect(cli.bidiStreaming('Echo')).rejects.toThrow(/needs the 'grpc' or 'ttstream' transport/);
    expect(() => newClient('s', g, { hostPorts: ['127.0.0.1:1'], thriftProtocol: 'compact' })).toThrow(/TTHeader is binary; use framed, buffered or theader/);
    const pb = jsonPbGeneric(await protoFileProvider('examples/idl/streaming.proto'));
    expect(() => newClient('s', pb, { hostPorts: ['127.0.0.1:1'], transport: 'buffered' })).toThrow(/'ttheader' or 'framed'/);
    expect(() => newStreamingClient('s', pb, { hostPorts: [] })).toThrow(/hostPorts/);
  });
});

describe('provider type names', () => {
  it('an unknown type name gets the closest name, relative to the package', async () => {
    const p = await protoFileProvider('test/fixtures/generic/gpt_engine.proto');
    expect(() => p.encodeJson('GPTRequst', '{}')).toThrow(/unknown message type "GPTRequst"; did you mean "GPTRequest"\?/);
    expect(p.encodeJson('search.gpt_engine.GPTRequest', '{"prompt":"x"}')).toEqual(p.encodeJson('GPTRequest', '{"prompt":"x"}'));
  });
});

describe('declared Thrift exceptions over gRPC', () => {
  it('arrive in-band (status OK, exception field set) and reject as DeclaredException, never as success', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider('test/fixtures/generic/kitchen.thrift'));
    const server = newGenericServer(g, {
      Cook: (item) => {
        if ((JSON.parse(item) as { name: string }).name === 'burnt') throw thriftException('KitchenError', '{"code":7,"message":"boom"}');
        return item;
      },
    });
    servers.push(server as never);
    await server.start();
    const cli = newStreamingClient('KitchenService', g, { hostPorts: [server.hostPort] });
    const err = await cli.genericCall('Cook', '{"name":"burnt"}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeclaredException);
    expect((err as DeclaredException).typeName).toBe('KitchenError');
    expect((err as DeclaredException).fieldName).toBe('err');
    expect(JSON.parse((err as DeclaredException).json)).toEqual({ code: 7, message: 'boom' });
    expect(JSON.parse(await cli.genericCall('Cook', '{"name":"soup"}'))).toMatchObject({ name: 'soup' });
    await cli.close();
  });
});
