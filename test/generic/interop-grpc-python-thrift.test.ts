import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonThriftGeneric, newStreamingClient, thriftFileProvider, type GenericClient } from '../../src/index.js';
import { startPythonPeer, type PythonPeer } from '../support/python-peer.js';
import { parsed, runBidi, runClientStreaming, runServerStreaming } from './seed-examples.js';
import { oracles } from '../support/oracles.js';

// Thrift over gRPC against grpc-python whose (de)serializers are Apache Thrift's Python
// TBinaryProtocol: the bare-struct and args/result rules are checked by a real Thrift library.
const IDL = 'examples/idl/streaming.thrift';
const ready = oracles('python-grpc', 'python-thrift', 'thrift');

let peer: PythonPeer;
let cli: GenericClient<string, string>;

beforeAll(async () => {
  if (!ready) return;
  peer = await startPythonPeer('test/peers/grpc_thrift_server.py', [IDL]);
  const generic = jsonThriftGeneric(await thriftFileProvider(IDL));
  cli = newStreamingClient('streaming_service', generic, { hostPorts: [`127.0.0.1:${peer.port}`] });
});

afterAll(async () => {
  await cli?.close();
  await peer?.stop();
});

describe.skipIf(!ready)('generic client ⇄ grpc-python with Apache Thrift serializers (seed streaming.thrift)', () => {
  it('client streaming (bare structs): three sends, then closeAndRecv', async () => {
    const res = await runClientStreaming(cli, 'EchoClient', ['a', 'b', 'c']);
    expect(JSON.parse(res)).toEqual({ message: 'server received 3 messages' });
  });

  it('server streaming (bare structs) until the end of stream', async () => {
    expect(parsed(await runServerStreaming(cli, 'EchoServer', 'hi'))).toEqual(
      [0, 1, 2].map((i) => ({ message: `server streaming response ${i} for request: hi` })),
    );
  });

  it('bidirectional streaming (bare structs) with concurrent loops', async () => {
    expect(parsed(await runBidi(cli, 'Echo', ['x', 'y', 'z']))).toEqual(
      ['x', 'y', 'z'].map((m) => ({ message: `server echo: ${m}` })),
    );
  });

  it('unary (streaming.mode="unary") wraps args and unwraps the result', async () => {
    expect(JSON.parse(await cli.genericCall('EchoUnary', '{"message":"hello"}'))).toEqual({ message: 'server unary: hello' });
  });

  it('ping-pong over gRPC wraps args and unwraps the result', async () => {
    expect(JSON.parse(await cli.genericCall('EchoPingPong', '{"message":"hello"}'))).toEqual({ message: 'server pong: hello' });
  });
});
