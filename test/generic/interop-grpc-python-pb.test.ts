import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, RpcError, jsonPbGeneric, newStreamingClient, protoFileProvider, type GenericClient } from '../../src/index.js';
import { GrpcChannel } from '../../src/http2/index.js';
import { startPythonPeer, type PythonPeer } from '../support/python-peer.js';
import { oracles } from '../support/oracles.js';

// The seed FAQ scenario: a grpc-python server for a proto with a dotted package. The generic
// client must put the package into :path or grpc-python answers UNIMPLEMENTED (code 12).
const IDL = 'test/fixtures/generic/gpt_engine.proto';
const ready = oracles('python-grpc', 'python-grpc-tools');

let peer: PythonPeer;
let cli: GenericClient<string, string>;

beforeAll(async () => {
  if (!ready) return;
  peer = await startPythonPeer('test/peers/grpc_pb_server.py', [IDL]);
  const generic = jsonPbGeneric(await protoFileProvider(IDL));
  cli = newStreamingClient('gpt_engine', generic, { hostPorts: [`127.0.0.1:${peer.port}`] });
});

afterAll(async () => {
  await cli?.close();
  await peer?.stop();
});

describe.skipIf(!ready)('generic client ⇄ grpc-python (package search.gpt_engine)', () => {
  it('the path carries the package, so grpc-python finds the method', async () => {
    const res = await cli.genericCall('Ask', '{"prompt":"why","requestId":"9007199254740993"}');
    // 2^53 + 1 survives the round trip: 64-bit integers never pass through a double.
    expect(JSON.parse(res)).toEqual({ text: 'answer: why', requestId: '9007199254740993' });
  });

  it('without the package (the FAQ bug) grpc-python answers UNIMPLEMENTED', async () => {
    const channel = new GrpcChannel({ hostPorts: [`127.0.0.1:${peer.port}`] });
    try {
      const call = channel.call({ path: '/GPTStreamService/Ask' });
      await call.send(new Uint8Array(0));
      call.closeSend();
      const err = await call.recv().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).code).toBe(Code.UNIMPLEMENTED);
    } finally {
      await channel.close();
    }
  });

  it('server streaming (the LLM token-streaming case) until the end of stream', async () => {
    const stream = await cli.serverStreaming('GPTGeneration', '{"prompt":"tok","requestId":7}');
    const got: unknown[] = [];
    for await (const r of stream) got.push(JSON.parse(r));
    expect(got).toEqual([
      { text: 'tok #0', requestId: '7' },
      { text: 'tok #1', requestId: '7', index: 1 },
      { text: 'tok #2', requestId: '7', index: 2 },
    ]);
  });

  it('client streaming', async () => {
    const stream = await cli.clientStreaming('Collect');
    for (const [p, id] of [['a', 1], ['b', 2], ['c', 3]] as const) await stream.send(JSON.stringify({ prompt: p, requestId: id }));
    expect(JSON.parse(await stream.closeAndRecv())).toEqual({ text: 'collected: a,b,c', requestId: '6', index: 3 });
  });

  it('bidirectional streaming with concurrent loops', async () => {
    const stream = await cli.bidiStreaming('Chat');
    const got: unknown[] = [];
    await Promise.all([
      (async () => {
        for (const p of ['x', 'y']) await stream.send(JSON.stringify({ prompt: p, requestId: 1 }));
        stream.close();
      })(),
      (async () => {
        for (let r = await stream.recv(); r !== undefined; r = await stream.recv()) got.push(JSON.parse(r));
      })(),
    ]);
    expect(got).toEqual([
      { text: 'chat: x', requestId: '1' },
      { text: 'chat: y', requestId: '1', index: 1 },
    ]);
  });

  it('metadata goes out and comes back as a header and a trailer', async () => {
    let headers: Record<string, unknown> = {};
    let trailers: Record<string, unknown> = {};
    await cli.genericCall('Ask', '{"prompt":"m"}', {
      metadata: { 'x-echo': 'ping' },
      onResponseMetadata: (h, t) => {
        headers = h;
        trailers = t;
      },
    });
    expect(headers['x-echo-header']).toBe('ping');
    expect(trailers['x-echo-trailer']).toBe('ping');
  });

  it('a status error from the handler arrives as RpcError', async () => {
    const err = await cli.genericCall('Fail', '{"prompt":"p"}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(Code.NOT_FOUND);
    expect((err as RpcError).rawMessage).toBe('not here: p');
  });

  it('a deadline shorter than the call gives DEADLINE_EXCEEDED', async () => {
    const stream = await cli.bidiStreaming('Chat', { timeoutMs: 200 });
    // Never half-close: the server keeps waiting, so only the deadline can end the call.
    const err = await stream.recv().catch((e: unknown) => e);
    expect((err as RpcError).code).toBe(Code.DEADLINE_EXCEEDED);
  });
});
