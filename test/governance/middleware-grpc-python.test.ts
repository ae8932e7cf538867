/**
 * Client middlewares against grpc-python: metadata a middleware adds is what the Python
 * handler reads (it echoes `x-echo` back as a header and a trailer, which the middleware
 * sees in the result), stream messages rewritten by a middleware are what Python answers,
 * and Python's status reaches the middleware.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, RpcError, jsonPbGeneric, newStreamingClient, protoFileProvider, type GenericClient, type Metadata, type Middleware } from '../../src/index.js';
import { recordingStatus, rewriting } from '../support/middlewares.js';
import { startPythonPeer, type PythonPeer } from '../support/python-peer.js';
import { oracles } from '../support/oracles.js';

const IDL = 'test/fixtures/generic/gpt_engine.proto';
const ready = oracles('python-grpc', 'python-grpc-tools');

let peer: PythonPeer;
let cli: GenericClient<string, string>;
const seen: Array<{ method: string; service: string; header?: Metadata; trailer?: Metadata; code: number }> = [];

const prefix = (r: unknown): string => {
  const o = JSON.parse(r as string) as { prompt: string };
  return JSON.stringify({ ...o, prompt: `mw:${o.prompt}` });
};
/** Adds `x-echo`. */
const echo: Middleware = (next) => async (call) => {
  call.metadata['x-echo'] = `mw-${call.method}`;
  return next(call);
};
/** Records what came back and how the call ended. */
const record = recordingStatus((call, code, res) => {
  const headers = res?.stream ? Promise.all([res.header, res.trailer]) : Promise.resolve([res?.header, res?.trailer]);
  void headers.then(([header, trailer]) => seen.push({ method: call.method, service: call.service, header, trailer, code }));
});

beforeAll(async () => {
  if (!ready) return;
  peer = await startPythonPeer('test/peers/grpc_pb_server.py', [IDL]);
  const generic = jsonPbGeneric(await protoFileProvider(IDL));
  cli = newStreamingClient('gpt_engine', generic, { hostPorts: [`127.0.0.1:${peer.port}`], middlewares: [record, echo, rewriting(prefix, (r) => r)] });
});

afterAll(async () => {
  await cli?.close();
  await peer?.stop();
});

describe.skipIf(!ready)('client middlewares ⇄ grpc-python', () => {
  it('unary: grpc-python reads the metadata the middleware added, and the middleware sees the header and trailer it sent back', async () => {
    const res = JSON.parse(await cli.genericCall('Ask', '{"prompt":"q"}')) as { text: string };
    expect(res.text).toBe('answer: mw:q');
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ method: 'Ask', service: 'search.gpt_engine.GPTStreamService', code: Code.OK });
    expect(last.header?.['x-echo-header']).toBe('mw-Ask');
    expect(last.trailer?.['x-echo-trailer']).toBe('mw-Ask');
  });

  it('client streaming and bidirectional: every request is rewritten on its way to Python', async () => {
    const cs = await cli.clientStreaming('Collect');
    await cs.send('{"prompt":"a","requestId":1}');
    await cs.send('{"prompt":"b","requestId":2}');
    expect(JSON.parse(await cs.closeAndRecv())).toMatchObject({ text: 'collected: mw:a,mw:b' });

    const bs = await cli.bidiStreaming('Chat');
    await bs.send('{"prompt":"x"}');
    expect(JSON.parse((await bs.recv())!)).toMatchObject({ text: 'chat: mw:x' });
    bs.close();
    expect(await bs.recv()).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ method: 'Chat', code: Code.OK });
  });

  it('server streaming: the one request is rewritten, every response passes', async () => {
    const got: string[] = [];
    for await (const r of await cli.serverStreaming('GPTGeneration', '{"prompt":"t"}')) got.push((JSON.parse(r) as { text: string }).text);
    expect(got).toEqual(['mw:t #0', 'mw:t #1', 'mw:t #2']);
  });

  it("Python's error status is what the middleware sees", async () => {
    const err = await cli.genericCall('Fail', '{"prompt":"p"}').catch((e: unknown) => e);
    expect((err as RpcError).code).toBe(Code.NOT_FOUND);
    expect((err as RpcError).rawMessage).toBe('not here: mw:p');
    expect(seen.at(-1)).toMatchObject({ method: 'Fail', code: Code.NOT_FOUND });
  });
});
