import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { Code, RpcError, jsonPbGeneric, newGenericServer, protoFileProvider, type GenericServer } from '../../src/index.js';
import { STREAMING_IDL, streamingClient, type StreamingClient } from '../support/grpcjs-streaming-client.js';
import { messageOf, reply } from '../support/messages.js';

// @grpc/grpc-js clients (generated from the same .proto by @grpc/proto-loader) against our
// generic server: every call shape, metadata both ways, and error statuses.
type Msg = { message: string };

let server: GenericServer<string, string>;
let client: StreamingClient;

beforeAll(async () => {
  server = newGenericServer(jsonPbGeneric(await protoFileProvider(STREAMING_IDL)), {
    UnaryEcho: (req, ctx) => {
      const m = messageOf(req);
      if (m === 'missing') throw new RpcError(Code.NOT_FOUND, 'no such thing: 100%');
      if (m === 'crash') throw new Error('handler crashed');
      if (m === 'revoked') {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        throw proxy; // even instanceof throws on it
      }
      if (m === 'bad header') ctx.setHeader('x-bad', 'line\nbreak');
      const token = ctx.metadata['x-token'];
      if (typeof token === 'string') {
        ctx.setHeader('x-token-header', token);
        ctx.setTrailer('x-token-trailer', token);
      }
      return reply(`Echo: ${m}`);
    },
    async StreamRequestEcho(requests, ctx) {
      // A handler that pulls late finds its requests already queued (decoded as it pulls them).
      if (ctx.metadata['x-pull-late']) await new Promise((r) => setTimeout(r, 50));
      const got: string[] = [];
      for await (const r of requests) got.push(messageOf(r));
      return reply(`Received ${got.length} messages: [${got.join(' ')}]`);
    },
    async *StreamResponseEcho(req) {
      for (let i = 0; i < 3; i++) yield reply(`stream response ${i}: ${messageOf(req)}`);
    },
    async *BidirectionalEcho(requests) {
      for await (const r of requests) yield reply(`Echo: ${messageOf(r)}`);
    },
  });
  const { port } = await server.start();
  client = streamingClient(port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

function unary(message: string, md = new grpc.Metadata()): Promise<{ res: Msg; headers: grpc.Metadata; trailers: grpc.Metadata }> {
  return new Promise((resolve, reject) => {
    let headers = new grpc.Metadata();
    const call = client['UnaryEcho']!({ message }, md, (err: grpc.ServiceError | null, res: Msg) =>
      err ? reject(err) : setImmediate(() => resolve({ res, headers, trailers })),
    ) as grpc.ClientUnaryCall;
    let trailers = new grpc.Metadata();
    call.on('metadata', (m: grpc.Metadata) => (headers = m));
    call.on('status', (s: grpc.StatusObject) => (trailers = s.metadata));
  });
}

describe('@grpc/grpc-js client ⇄ generic server (seed streaming.proto)', () => {
  it('unary, with metadata echoed as a header and a trailer', async () => {
    const md = new grpc.Metadata();
    md.set('x-token', 't1');
    const { res, headers, trailers } = await unary('hello', md);
    expect(res).toEqual({ message: 'Echo: hello' });
    expect(headers.get('x-token-header')).toEqual(['t1']);
    expect(trailers.get('x-token-trailer')).toEqual(['t1']);
  });

  it('client streaming', async () => {
    const res = await new Promise<Msg>((resolve, reject) => {
      const call = client['StreamRequestEcho']!((err: grpc.ServiceError | null, r: Msg) => (err ? reject(err) : resolve(r))) as grpc.ClientWritableStream<Msg>;
      for (const m of ['a', 'b', 'c']) call.write({ message: m });
      call.end();
    });
    expect(res).toEqual({ message: 'Received 3 messages: [a b c]' });
  });

  it('client streaming, the handler pulling only after every request arrived', async () => {
    const md = new grpc.Metadata();
    md.set('x-pull-late', '1');
    const res = await new Promise<Msg>((resolve, reject) => {
      const call = client['StreamRequestEcho']!(md, (err: grpc.ServiceError | null, r: Msg) => (err ? reject(err) : resolve(r))) as grpc.ClientWritableStream<Msg>;
      for (const m of ['a', 'b', 'c', 'd']) call.write({ message: m });
      call.end();
    });
    expect(res).toEqual({ message: 'Received 4 messages: [a b c d]' });
  });

  it('server streaming', async () => {
    const call = client['StreamResponseEcho']!({ message: 'hi' }) as grpc.ClientReadableStream<Msg>;
    const got: Msg[] = [];
    for await (const m of call) got.push(m as Msg);
    expect(got).toEqual([0, 1, 2].map((i) => ({ message: `stream response ${i}: hi` })));
  });

  it('bidirectional streaming', async () => {
    const call = client['BidirectionalEcho']!() as grpc.ClientDuplexStream<Msg, Msg>;
    const got: Msg[] = [];
    const done = (async () => {
      for await (const m of call) got.push(m as Msg);
    })();
    for (const m of ['x', 'y']) call.write({ message: m });
    call.end();
    await done;
    expect(got).toEqual([{ message: 'Echo: x' }, { message: 'Echo: y' }]);
  });

  it('an RpcError thrown by a handler is the call status', async () => {
    const err = (await unary('missing').catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.NOT_FOUND);
    expect(err.details).toBe('no such thing: 100%');
  });

  it('any other error thrown by a handler is UNKNOWN with its message', async () => {
    const err = (await unary('crash').catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.UNKNOWN);
    expect(err.details).toBe('handler crashed');
  });

  it('a thrown revoked proxy still ends the call, UNKNOWN', async () => {
    const err = (await unary('revoked').catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.UNKNOWN);
    expect(err.details).toMatch(/revoked/);
  });

  it('a header the handler set that cannot be sent ends the call with why', async () => {
    const err = (await unary('bad header').catch((e: unknown) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.INTERNAL);
    expect(err.details).toMatch(/"x-bad" has a non-printable-ASCII value/);
  });

  it('an unknown method is UNIMPLEMENTED', async () => {
    const err = await new Promise<grpc.ServiceError>((resolve) => {
      client.makeUnaryRequest('/pb.StreamingService/Nope', (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (e) => resolve(e!));
    });
    expect(err.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(err.details).toBe('unknown method Nope');
  });
});
