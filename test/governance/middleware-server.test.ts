/**
 * Server middlewares on the idlcall server, every shape and transport, called by the idlcall
 * client: the handler sees the metadata a middleware set, requests and responses are
 * rewritten message by message, a middleware answers or refuses a call without the handler,
 * and sees each call's final status. Health checks do not pass through them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Code,
  RpcError,
  jsonThriftGeneric,
  newClient,
  newGenericServer,
  newStreamingClient,
  thriftFileProvider,
  type CallInfo,
  type GenericClient,
  type GenericServer,
  type Middleware,
  type ServerContext,
} from '../../src/index.js';
import { messageOf as text, reply as m } from '../support/messages.js';
import { recordingStatus, rewriting } from '../support/middlewares.js';

const IDL = 'examples/idl/streaming.thrift';

let server: GenericServer<string, string>;
const handled: string[] = [];
const statuses: Array<{ method: string; transport: CallInfo['transport']; code: number; peer: string | undefined; target: string }> = [];

const tagMetadata: Middleware = (next) => async (call) => {
  call.metadata['x-server-mw'] = `${call.side}:${call.shape}`;
  call.setHeader?.('x-from-middleware', 'yes');
  return next(call);
};

/** Requests lower-cased on the way in, responses wrapped in [] on the way out. */
const rewrite = rewriting(
  (r) => m(text(r as string).toLowerCase()),
  (r) => m(`[${text(r as string)}]`),
);

/** Refuses calls whose metadata says `x-deny`, and answers `EchoUnary` with "cached" for `x-cached`. */
const gate: Middleware = (next) => async (call) => {
  const md = call.metadata;
  if (md['x-deny'] ?? md['RPC_TRANSIT_x-deny']) throw new RpcError(Code.PERMISSION_DENIED, 'denied by a server middleware');
  if ((md['x-cached'] ?? md['RPC_TRANSIT_x-cached']) && !call.stream) return { stream: false, response: m('cached') };
  return next(call);
};

const recordStatus = recordingStatus((call, code) =>
  statuses.push({ method: call.method, transport: call.transport, code, peer: call.peer, target: call.target }),
);

function seen(ctx: ServerContext): string {
  const v = ctx.metadata['x-server-mw'];
  return typeof v === 'string' ? v : '-';
}

beforeAll(async () => {
  const g = jsonThriftGeneric(await thriftFileProvider(IDL));
  const unary = (name: string) => (req: string, ctx: ServerContext) => {
    handled.push(name);
    if (text(req) === 'fail') throw new RpcError(Code.NOT_FOUND, 'no such thing');
    return m(`${text(req)}|${seen(ctx)}`);
  };
  server = newGenericServer(
    g,
    {
      EchoUnary: unary('EchoUnary'),
      EchoPingPong: unary('EchoPingPong'),
      EchoClient: async (requests: AsyncIterable<string>, ctx: ServerContext) => {
        handled.push('EchoClient');
        const got: string[] = [];
        for await (const r of requests) got.push(text(r));
        return m(`${got.join(',')}|${seen(ctx)}`);
      },
      EchoServer: async function* (req: string, ctx: ServerContext) {
        handled.push('EchoServer');
        for (let i = 0; i < 2; i++) yield m(`${text(req)}#${i}|${seen(ctx)}`);
      },
      Echo: async function* (requests: AsyncIterable<string>, ctx: ServerContext) {
        handled.push('Echo');
        for await (const r of requests) yield m(`${text(r)}|${seen(ctx)}`);
      },
    } as never,
    { middlewares: [recordStatus, gate, tagMetadata, rewrite] },
  );
  await server.start();
});

afterAll(async () => {
  await server?.close();
});

async function client(transport: 'grpc' | 'ttstream' | 'ttheader' | 'framed'): Promise<GenericClient<string, string>> {
  const g = jsonThriftGeneric(await thriftFileProvider(IDL));
  return transport === 'grpc' || transport === 'ttstream'
    ? newStreamingClient('TestService', g, { hostPorts: [server.hostPort], transport })
    : newClient('TestService', g, { hostPorts: [server.hostPort], transport });
}

describe.each(['grpc', 'ttheader', 'framed'] as const)('server middlewares, unary / ping-pong over %s', (transport) => {
  const method = transport === 'grpc' ? 'EchoUnary' : 'EchoPingPong';
  const shape = transport === 'grpc' ? 'unary' : 'pingpong';

  it('the handler sees the metadata a middleware set; the request and the response are rewritten; the status is OK', async () => {
    const cli = await client(transport);
    let headers: Record<string, unknown> = {};
    try {
      const res = await cli.genericCall(method, m('HeLLo'), { onResponseMetadata: (h) => (headers = h) });
      expect(text(res)).toBe(`[hello|server:${shape}]`);
      // Framed carries no headers back.
      if (transport !== 'framed') expect(headers['x-from-middleware']).toBe('yes');
      const last = statuses.at(-1)!;
      expect(last).toMatchObject({ method, transport, code: Code.OK, target: server.hostPort });
      expect(last.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    } finally {
      await cli.close();
    }
  });

  it('a middleware refuses a call or answers it, and the handler does not run', async () => {
    if (transport === 'framed') return; // Framed carries no metadata to decide on
    const cli = await client(transport);
    const before = handled.length;
    try {
      const err = await cli.genericCall(method, m('x'), { metadata: { 'x-deny': '1' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      if (transport === 'grpc') expect((err as RpcError).code).toBe(Code.PERMISSION_DENIED);
      expect(String(err)).toMatch(/denied by a server middleware/);
      expect(statuses.at(-1)!.code).toBe(Code.PERMISSION_DENIED);
      expect(text(await cli.genericCall(method, m('x'), { metadata: { 'x-cached': '1' } }))).toBe('cached'); // answered before the rewriting middleware
      expect(handled.length).toBe(before);
    } finally {
      await cli.close();
    }
  });

  it("sees the handler's error as the final status", async () => {
    const cli = await client(transport);
    try {
      await expect(cli.genericCall(method, m('fail'))).rejects.toBeInstanceOf(RpcError);
      expect(statuses.at(-1)).toMatchObject({ method, code: Code.NOT_FOUND });
    } finally {
      await cli.close();
    }
  });
});

describe.each(['grpc', 'ttstream'] as const)('server middlewares, streams over %s', (transport) => {
  it('client streaming: every request rewritten before the handler, the response after', async () => {
    const cli = await client(transport);
    try {
      const cs = await cli.clientStreaming('EchoClient');
      for (const s of ['A', 'B']) await cs.send(m(s));
      expect(text(await cs.closeAndRecv())).toBe('[a,b|server:client]');
      expect(statuses.at(-1)).toMatchObject({ method: 'EchoClient', transport, code: Code.OK });
    } finally {
      await cli.close();
    }
  });

  it('server streaming: each response passes through the middleware', async () => {
    const cli = await client(transport);
    try {
      const got: string[] = [];
      for await (const r of await cli.serverStreaming('EchoServer', m('Q'))) got.push(text(r));
      expect(got).toEqual(['[q#0|server:server]', '[q#1|server:server]']);
    } finally {
      await cli.close();
    }
  });

  it('bidirectional: message by message, and a refused stream never reaches the handler', async () => {
    const cli = await client(transport);
    try {
      const bs = await cli.bidiStreaming('Echo');
      await bs.send(m('X'));
      expect(text(await bs.recv())).toBe('[x|server:bidirectional]');
      bs.close();
      expect(await bs.recv()).toBeUndefined();
      const before = handled.length;
      const denied = await cli.bidiStreaming('Echo', { metadata: { 'x-deny': '1' } });
      const err = await denied.recv().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect(String(err)).toMatch(/denied by a server middleware/);
      expect(handled.length).toBe(before);
    } finally {
      await cli.close();
    }
  });
});

describe('what server middlewares do not wrap', () => {
  it('health checks are answered without passing through them', async () => {
    const before = statuses.length;
    const { GrpcChannel } = await import('../../src/http2/index.js');
    const channel = new GrpcChannel({ hostPorts: [server.hostPort] });
    try {
      const call = channel.call({ path: '/grpc.health.v1.Health/Check' });
      await call.send(new Uint8Array(0));
      call.closeSend();
      expect(await call.recv()).toBeInstanceOf(Uint8Array);
      expect(statuses.length).toBe(before);
    } finally {
      await channel.close();
    }
  });

  it('a server without middlewares serves the handlers it was given, as they are', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const handlers = { EchoPingPong: (req: string) => req };
    const plain = newGenericServer(g, handlers as never);
    expect(plain.handlers).toBe(handlers);
  });
});
