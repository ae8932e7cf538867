/**
 * Client middlewares on every call shape and transport, against the idlcall server: metadata a
 * middleware adds is what the server's handler receives, messages are seen and changed one by
 * one in both directions, a middleware answers without the server (a response, or an error),
 * and each sees the call's final status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Code,
  CodecError,
  RpcError,
  jsonThriftGeneric,
  newClient,
  newGenericServer,
  newStreamingClient,
  thriftFileProvider,
  type CallInfo,
  type ClientOptions,
  type GenericClient,
  type GenericServer,
  type Metadata,
  type Middleware,
  type ServerContext,
} from '../../src/index.js';
import { messageOf as text, reply as m } from '../support/messages.js';
import { recordingStatus, rewriting } from '../support/middlewares.js';

const IDL = 'examples/idl/streaming.thrift';

let server: GenericServer<string, string>;
/** Handler calls, by method. */
const served: Record<string, number> = {};

/** A metadata value as the handler sees it: a gRPC header, or Kitex transient metainfo over TTHeader / ttstream. */
function mw(ctx: ServerContext, key: string): string {
  const v = ctx.metadata[key] ?? ctx.metadata[`RPC_TRANSIT_${key}`];
  return typeof v === 'string' ? v : '-';
}

function fails(message: string): void {
  if (message === 'fail') throw new RpcError(Code.NOT_FOUND, 'no such thing');
}

beforeAll(async () => {
  const g = jsonThriftGeneric(await thriftFileProvider(IDL));
  const count = (name: string): void => void (served[name] = (served[name] ?? 0) + 1);
  const unary = (name: string) => (req: string, ctx: ServerContext) => {
    count(name);
    fails(text(req));
    return m(`${text(req)}|${mw(ctx, 'x-mw')}`);
  };
  server = newGenericServer(g, {
    EchoUnary: unary('EchoUnary'),
    EchoPingPong: unary('EchoPingPong'),
    EchoClient: async (requests: AsyncIterable<string>, ctx: ServerContext) => {
      count('EchoClient');
      const got: string[] = [];
      for await (const r of requests) got.push(text(r));
      fails(got[0]!);
      return m(`${got.join(',')}|${mw(ctx, 'x-mw')}`);
    },
    EchoServer: async function* (req: string, ctx: ServerContext) {
      count('EchoServer');
      fails(text(req));
      for (let i = 0; i < 3; i++) yield m(`${text(req)}#${i}|${mw(ctx, 'x-mw')}`);
    },
    Echo: async function* (requests: AsyncIterable<string>, ctx: ServerContext) {
      count('Echo');
      for await (const r of requests) {
        fails(text(r));
        yield m(`${text(r)}|${mw(ctx, 'x-mw')}`);
      }
    },
  } as never);
  await server.start();
});

afterAll(async () => {
  await server?.close();
});

/** Adds metadata `x-mw`. */
const addMetadata: Middleware = (next) => async (call) => {
  call.metadata['x-mw'] = 'set-by-middleware';
  return next(call);
};

/** Upper-cases every request's message and marks every response's, message by message. */
const rewrite = rewriting(
  (req) => m(text(req as string).toUpperCase()),
  (res) => m(`${text(res as string)}!`),
);

/** Replaces a stream's requests with one whose field has the wrong type (unary calls pass through). */
const unencodableRequests: Middleware = (next) => async (call) =>
  next(
    call.stream
      ? {
          ...call,
          requests: (async function* () {
            yield '{"message": 12}';
          })(),
        }
      : call,
  );

type StatusLog = Array<{ info: Pick<CallInfo, 'side' | 'service' | 'method' | 'shape' | 'transport' | 'target'>; code: number }>;

/** Records each call's shape, transport and final status (0 for OK, else the error's code). */
function statusRecorder(log: StatusLog): Middleware {
  return recordingStatus((call, code) =>
    log.push({ info: { side: call.side, service: call.service, method: call.method, shape: call.shape, transport: call.transport, target: call.target }, code }),
  );
}

interface Case {
  name: string;
  make: (opts: Partial<ClientOptions>) => Promise<GenericClient<string, string>>;
  /** Whether metadata reaches the server (Framed and Buffered carry none). */
  carriesMetadata: boolean;
}

async function generic() {
  return jsonThriftGeneric(await thriftFileProvider(IDL));
}
const at = (): string[] => [server.hostPort];
const STREAMING: Case[] = [
  { name: 'gRPC', make: async (o) => newStreamingClient('TestService', await generic(), { hostPorts: at(), ...o }), carriesMetadata: true },
  { name: 'ttstream', make: async (o) => newStreamingClient('TestService', await generic(), { hostPorts: at(), transport: 'ttstream', ...o }), carriesMetadata: true },
];
const PING_PONG: Case[] = [
  { name: 'ttheader', make: async (o) => newClient('TestService', await generic(), { hostPorts: at(), ...o }), carriesMetadata: true },
  { name: 'framed', make: async (o) => newClient('TestService', await generic(), { hostPorts: at(), transport: 'framed', ...o }), carriesMetadata: false },
  { name: 'gRPC', make: async (o) => newStreamingClient('TestService', await generic(), { hostPorts: at(), ...o }), carriesMetadata: true },
];

describe.each(PING_PONG)('unary and ping-pong over $name', ({ make, carriesMetadata, name }) => {
  const method = name === 'gRPC' ? 'EchoUnary' : 'EchoPingPong';

  it('metadata a middleware adds reaches the server', async () => {
    const cli = await make({ middlewares: [addMetadata] });
    try {
      expect(text(await cli.genericCall(method, m('a')))).toBe(`a|${carriesMetadata ? 'set-by-middleware' : '-'}`);
    } finally {
      await cli.close();
    }
  });

  it('the request and the response are seen and replaced; a call-level middleware runs inside the client-level one', async () => {
    const order: string[] = [];
    const tag =
      (t: string): Middleware =>
      (next) =>
      async (call) => {
        order.push(t);
        return next(call);
      };
    const cli = await make({ middlewares: [tag('client'), rewrite] });
    try {
      expect(text(await cli.genericCall(method, m('abc'), { middlewares: [tag('call')] }))).toMatch(/^ABC\|.*!$/);
      expect(order).toEqual(['client', 'call']);
    } finally {
      await cli.close();
    }
  });

  it('a middleware answers without calling the server, with a response or an RpcError', async () => {
    const before = served[method] ?? 0;
    const cached: Middleware = () => async (call) => {
      if (!call.stream && text(call.request as string) === 'boom') throw new RpcError(Code.PERMISSION_DENIED, 'denied by middleware');
      return { stream: false, response: m('from cache') };
    };
    const cli = await make({ middlewares: [cached] });
    try {
      expect(text(await cli.genericCall(method, m('x')))).toBe('from cache');
      const err = await cli.genericCall(method, m('boom')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).code).toBe(Code.PERMISSION_DENIED);
      expect(served[method] ?? 0).toBe(before);
    } finally {
      await cli.close();
    }
  });

  it('sees the final status: OK, and the error the server answered with', async () => {
    const log: StatusLog = [];
    const cli = await make({ middlewares: [statusRecorder(log)] });
    try {
      await cli.genericCall(method, m('ok'));
      const err = (await cli.genericCall(method, m('fail')).catch((e: unknown) => e)) as RpcError;
      expect(err).toBeInstanceOf(RpcError);
      expect(log.map((l) => l.code)).toEqual([Code.OK, err.code]);
      // gRPC carries the handler's status; a ping-pong TApplicationException maps to its own code.
      if (name === 'gRPC') expect(err.code).toBe(Code.NOT_FOUND);
      expect(log[0]!.info).toEqual({
        side: 'client',
        service: 'TestService',
        method,
        shape: name === 'gRPC' ? 'unary' : 'pingpong',
        transport: name === 'gRPC' ? 'grpc' : name,
        target: server.hostPort,
      });
    } finally {
      await cli.close();
    }
  });

  it('response metadata reaches the middleware and the call (onResponseMetadata)', async () => {
    let seen: Metadata | undefined;
    const peek: Middleware = (next) => async (call) => {
      const res = await next(call);
      if (!res.stream) seen = res.header;
      return res;
    };
    const cli = await make({ middlewares: [peek] });
    let own: Metadata | undefined;
    try {
      await cli.genericCall(method, m('h'), { onResponseMetadata: (h) => (own = h) });
      expect(seen).toBeDefined();
      expect(seen).toBe(own);
    } finally {
      await cli.close();
    }
  });
});

describe.each(STREAMING)('streams over $name', ({ make }) => {
  it('client streaming: metadata reaches the server, each request and the response are rewritten', async () => {
    const cli = await make({ middlewares: [addMetadata, rewrite] });
    try {
      const cs = await cli.clientStreaming('EchoClient');
      for (const s of ['a', 'b', 'c']) await cs.send(m(s));
      expect(text(await cs.closeAndRecv())).toBe('A,B,C|set-by-middleware!');
    } finally {
      await cli.close();
    }
  });

  it('server streaming: every response passes through the middleware', async () => {
    const cli = await make({ middlewares: [addMetadata, rewrite] });
    try {
      const got: string[] = [];
      for await (const r of await cli.serverStreaming('EchoServer', m('q'))) got.push(text(r));
      expect(got).toEqual(['Q#0|set-by-middleware!', 'Q#1|set-by-middleware!', 'Q#2|set-by-middleware!']);
    } finally {
      await cli.close();
    }
  });

  it('bidirectional: requests and responses are rewritten message by message, concurrently', async () => {
    const cli = await make({ middlewares: [addMetadata, rewrite] });
    try {
      const bs = await cli.bidiStreaming('Echo');
      const got: string[] = [];
      await bs.send(m('x'));
      got.push(text(await bs.recv()));
      await bs.send(m('y'));
      bs.close();
      for await (const r of bs) got.push(text(r));
      expect(got).toEqual(['X|set-by-middleware!', 'Y|set-by-middleware!']);
    } finally {
      await cli.close();
    }
  });

  it('a middleware answers a stream itself; one that throws fails the call before anything is sent', async () => {
    const before = served.EchoServer ?? 0;
    const canned: Middleware = () => async (call) => {
      if (call.method === 'Echo') throw new RpcError(Code.UNAUTHENTICATED, 'no token');
      return {
        stream: true,
        responses: (async function* () {
          yield m('canned 1');
          yield m('canned 2');
        })(),
      };
    };
    const cli = await make({ middlewares: [canned] });
    try {
      const got: string[] = [];
      for await (const r of await cli.serverStreaming('EchoServer', m('q'))) got.push(text(r));
      expect(got).toEqual(['canned 1', 'canned 2']);
      expect(served.EchoServer ?? 0).toBe(before);
      const err = await cli.bidiStreaming('Echo').catch((e: unknown) => e);
      expect((err as RpcError).code).toBe(Code.UNAUTHENTICATED);
    } finally {
      await cli.close();
    }
  });

  it('sees the final status of each stream: OK at the clean end, the server error otherwise', async () => {
    const log: StatusLog = [];
    const cli = await make({ middlewares: [statusRecorder(log)] });
    try {
      const cs = await cli.clientStreaming('EchoClient');
      await cs.send(m('ok'));
      await cs.closeAndRecv();
      const ss = await cli.serverStreaming('EchoServer', m('fail'));
      const err = await (async () => {
        for await (const _ of ss) void _;
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect(log.map((l) => [l.info.shape, l.code])).toEqual([
        ['client', Code.OK],
        ['server', (err as RpcError).code],
      ]);
      expect((err as RpcError).code).not.toBe(Code.OK);
    } finally {
      await cli.close();
    }
  });

  it('a request the middleware turns into something that does not encode fails the call with the codec error', async () => {
    const cli = await make({ middlewares: [unencodableRequests] });
    try {
      const cs = await cli.clientStreaming('EchoClient');
      // The middleware never reads what is sent: the send fails when the call does.
      const err = await cs
        .send(m('a'))
        .then(() => cs.closeAndRecv())
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CodecError);
      expect(String(err)).toMatch(/message/);
    } finally {
      await cli.close();
    }
  });

  it('cancelling a stream opened through middlewares cancels the call', async () => {
    const cli = await make({ middlewares: [addMetadata] });
    try {
      const bs = await cli.bidiStreaming('Echo');
      await bs.send(m('one'));
      expect(text(await bs.recv())).toBe('one|set-by-middleware');
      bs.cancel('enough');
      const err = await bs.recv().catch((e: unknown) => e);
      expect((err as RpcError).code).toBe(Code.CANCELLED);
      await expect(bs.send(m('two'))).rejects.toBeInstanceOf(RpcError);
    } finally {
      await cli.close();
    }
  });
});

describe('genericCall over a ttstream client goes over Framed, and says so', () => {
  it('transport framed in the call info', async () => {
    const log: StatusLog = [];
    const cli = newStreamingClient('TestService', await generic(), { hostPorts: at(), transport: 'ttstream', middlewares: [statusRecorder(log)] });
    try {
      expect(text(await cli.genericCall('EchoPingPong', m('p')))).toBe('p|-');
      expect(log[0]!.info.transport).toBe('framed');
    } finally {
      await cli.close();
    }
  });
});

describe('the chain', () => {
  it('a middleware that answers a unary call with a stream result is a usage error', async () => {
    const wrong: Middleware = () => async () => ({ stream: true, responses: (async function* () {})() });
    const cli = newClient('TestService', await generic(), { hostPorts: at(), middlewares: [wrong] });
    try {
      await expect(cli.genericCall('EchoPingPong', m('x'))).rejects.toThrow(/answered the unary call EchoPingPong with a streaming result/);
    } finally {
      await cli.close();
    }
  });

  it('a middleware that throws without returning a promise rejects the call (genericCall does not throw)', async () => {
    const sync: Middleware = () => () => {
      throw new RpcError(Code.UNAUTHENTICATED, 'no token');
    };
    const stranger: Middleware = (next) => (call) => next({ ...call, [Object.getOwnPropertySymbols(call)[0]!]: undefined });
    const cli = newClient('TestService', await generic(), { hostPorts: at(), middlewares: [sync] });
    const other = newClient('TestService', await generic(), { hostPorts: at(), middlewares: [stranger] });
    try {
      let pending: Promise<unknown> | undefined;
      expect(() => (pending = cli.genericCall('EchoPingPong', m('x')))).not.toThrow();
      await expect(pending).rejects.toMatchObject({ code: Code.UNAUTHENTICATED });
      await expect(other.genericCall('EchoPingPong', m('x'))).rejects.toThrow(/passed on a call it did not receive/);
    } finally {
      await Promise.all([cli.close(), other.close()]);
    }
  });

  it('a middleware that changes the deadline changes the call timeout', async () => {
    const slow = newGenericServer(await generic(), {
      EchoPingPong: async (req: string) => {
        await new Promise((r) => setTimeout(r, 300));
        return req;
      },
    } as never);
    await slow.start();
    const short: Middleware = (next) => async (call) => next({ ...call, deadline: Date.now() + 50 });
    const cli = newClient('TestService', await generic(), { hostPorts: [slow.hostPort], timeoutMs: 10_000, middlewares: [short] });
    try {
      const err = await cli.genericCall('EchoPingPong', m('x')).catch((e: unknown) => e);
      expect((err as RpcError).code).toBe(Code.DEADLINE_EXCEEDED);
    } finally {
      await cli.close();
      await slow.close();
    }
  });

  it('metadata a middleware deletes is not sent, even when it came from the client options', async () => {
    const drop: Middleware = (next) => async (call) => {
      delete call.metadata['x-mw'];
      return next(call);
    };
    const cli = newClient('TestService', await generic(), { hostPorts: at(), metadata: { 'x-mw': 'client-wide' }, middlewares: [drop] });
    try {
      expect(text(await cli.genericCall('EchoPingPong', m('a')))).toBe('a|-');
      expect(text(await cli.genericCall('EchoPingPong', m('a'), { middlewares: [] }))).toBe('a|-');
    } finally {
      await cli.close();
    }
    const plain = newClient('TestService', await generic(), { hostPorts: at(), metadata: { 'x-mw': 'client-wide' } });
    try {
      expect(text(await plain.genericCall('EchoPingPong', m('a')))).toBe('a|client-wide');
    } finally {
      await plain.close();
    }
  });
});

describe('server streaming through middlewares', () => {
  it('a request the middlewares leave unencodable fails the call before anything is sent', async () => {
    const before = served.EchoServer ?? 0;
    const cli = newStreamingClient('TestService', await generic(), { hostPorts: at(), middlewares: [unencodableRequests] });
    try {
      await expect(cli.serverStreaming('EchoServer', m('q'))).rejects.toBeInstanceOf(CodecError);
      expect(served.EchoServer ?? 0).toBe(before);
    } finally {
      await cli.close();
    }
  });
});
