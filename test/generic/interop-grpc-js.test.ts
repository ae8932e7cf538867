import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Code, RpcError, UsageError, jsonPbGeneric, newStreamingClient, protoFileProvider, type GenericClient } from '../../src/index.js';
import { parsed, runBidi, runClientStreaming, runServerStreaming } from './seed-examples.js';

// A real gRPC implementation serving the seed streaming.proto: @grpc/grpc-js with @grpc/proto-loader.
const IDL = 'examples/idl/streaming.proto';
type Msg = { message: string };

let server: grpc.Server;
let cli: GenericClient<string, string>;

beforeAll(async () => {
  const def = protoLoader.loadSync(IDL, { keepCase: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { pb: { StreamingService: grpc.ServiceClientConstructor } };
  server = new grpc.Server();
  server.addService(pkg.pb.StreamingService.service, {
    UnaryEcho(call: grpc.ServerUnaryCall<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) {
      const md = call.metadata.get('x-token')[0];
      if (md !== undefined) {
        const headers = new grpc.Metadata();
        headers.set('x-token-header', String(md));
        call.sendMetadata(headers);
      }
      if (call.request.message === 'fail') {
        cb({ code: grpc.status.FAILED_PRECONDITION, details: 'told to fail: 100% sure' } as grpc.ServiceError);
        return;
      }
      const trailer = new grpc.Metadata();
      if (md !== undefined) trailer.set('x-token-seen', String(md));
      cb(null, { message: `Echo: ${call.request.message}` }, trailer);
    },
    StreamRequestEcho(call: grpc.ServerReadableStream<Msg, Msg>, cb: grpc.sendUnaryData<Msg>) {
      const got: string[] = [];
      call.on('data', (m: Msg) => got.push(m.message));
      call.on('end', () => cb(null, { message: `Received ${got.length} messages: [${got.join(' ')}]` }));
    },
    StreamResponseEcho(call: grpc.ServerWritableStream<Msg, Msg>) {
      for (let i = 0; i < 3; i++) call.write({ message: `stream response ${i}: ${call.request.message}` });
      call.end();
    },
    BidirectionalEcho(call: grpc.ServerDuplexStream<Msg, Msg>) {
      call.on('data', (m: Msg) => call.write({ message: `Echo: ${m.message}` }));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const generic = jsonPbGeneric(await protoFileProvider(IDL));
  cli = newStreamingClient('streaming', generic, { hostPorts: [`127.0.0.1:${port}`] });
});

afterAll(async () => {
  await cli?.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
});

describe('generic client ⇄ @grpc/grpc-js server (seed streaming.proto)', () => {
  it('client streaming: three sends, then closeAndRecv', async () => {
    const res = await runClientStreaming(cli, 'StreamRequestEcho', ['a', 'b', 'c']);
    expect(JSON.parse(res)).toEqual({ message: 'Received 3 messages: [a b c]' });
  });

  it('server streaming: recv until the end of stream', async () => {
    const res = await runServerStreaming(cli, 'StreamResponseEcho', 'hi');
    expect(parsed(res)).toEqual([0, 1, 2].map((i) => ({ message: `stream response ${i}: hi` })));
  });

  it('bidirectional streaming with concurrent send and receive loops', async () => {
    const res = await runBidi(cli, 'BidirectionalEcho', ['x', 'y', 'z']);
    expect(parsed(res)).toEqual([{ message: 'Echo: x' }, { message: 'Echo: y' }, { message: 'Echo: z' }]);
  });

  it('unary, with metadata in and a trailer back', async () => {
    let seen: Record<string, unknown> = {};
    const res = await cli.genericCall('UnaryEcho', '{"message":"hello"}', {
      metadata: { 'x-token': 'abc' },
      onResponseMetadata: (headers, trailers) => (seen = { header: headers['x-token-header'], trailer: trailers['x-token-seen'] }),
    });
    expect(JSON.parse(res)).toEqual({ message: 'Echo: hello' });
    expect(seen).toEqual({ header: 'abc', trailer: 'abc' });
  });

  it('a server error arrives as RpcError with code and percent-decoded message', async () => {
    const err = await cli.genericCall('UnaryEcho', '{"message":"fail"}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(Code.FAILED_PRECONDITION);
    expect((err as RpcError).rawMessage).toBe('told to fail: 100% sure');
  });

  it('a method called in the wrong shape is refused before anything is sent', async () => {
    await expect(cli.serverStreaming('StreamRequestEcho', '{}')).rejects.toThrow(UsageError);
    await expect(cli.serverStreaming('StreamRequestEcho', '{}')).rejects.toThrow(/client streaming method, not server streaming; use clientStreaming/);
    await expect(cli.genericCall('BidirectionalEcho', '{}')).rejects.toThrow(/use bidiStreaming/);
  });

  it('an unknown method names the closest one', async () => {
    await expect(cli.genericCall('UnaryEho', '{}')).rejects.toThrow(/did you mean "UnaryEcho"/);
  });

  it('invalid request JSON rejects with the field path and sends nothing', async () => {
    await expect(cli.genericCall('UnaryEcho', '{"message": 5}')).rejects.toThrow(/message/);
  });
});
