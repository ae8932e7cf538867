/**
 * Kitex metainfo from the client options: transient (`metadata`) and persistent
 * (`persistentMetadata`) values out, backward values back (`onBackwardMetadata`), over
 * TTHeader with exactly the string keys a Kitex v0.14.1 client writes (checked against its
 * capture) and over gRPC with gopkg metainfo's header spelling.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonThriftGeneric,
  newClient,
  newGenericServer,
  newStreamingClient,
  thriftFileProvider,
  type GenericServer,
  type Metadata,
} from '../../src/index.js';
import { decodeTTHeaderFrame } from '../../src/ttheader/index.js';

const IDL = 'examples/idl/streaming.thrift';
let server: GenericServer<string, string>;
/** What the last call's handler received as metadata. */
let received: Metadata = {};

beforeAll(async () => {
  const g = jsonThriftGeneric(await thriftFileProvider(IDL));
  const handler = (req: string, ctx: { metadata: Metadata; setHeader(k: string, v: string): void; setTrailer(k: string, v: string): void }): string => {
    received = ctx.metadata;
    // What a Kitex handler's metainfo.SendBackwardValue(ctx, "x-back", "b1") puts into a TTHeader reply.
    ctx.setHeader('x-back', 'b1');
    // gopkg's HTTP spelling of backward metainfo, for gRPC.
    ctx.setTrailer('rpc-backward-x-back', 'b2');
    return req;
  };
  server = newGenericServer(g, { EchoPingPong: handler, EchoUnary: handler });
  await server.start();
});

afterAll(async () => {
  await server?.close();
});

/** String info of the first TTHeader frame a Kitex v0.14.1 client sent with metainfo x-trace (transient) and x-tenant (persistent). */
function kitexClientStrInfo(): Record<string, string> {
  const bytes = readFileSync(new URL('../fixtures/wire/ttstream_metadata_typed.c2s.bin', import.meta.url));
  const first = bytes.subarray(0, 4 + bytes.readUInt32BE(0));
  return Object.fromEntries(decodeTTHeaderFrame(first).strInfo);
}

describe('metainfo over TTHeader', () => {
  it('transient and persistent values carry the keys a Kitex client writes (RPC_TRANSIT_ / RPC_PERSIST_)', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const cli = newClient('TestService', g, { hostPorts: [server.hostPort], persistentMetadata: { 'x-tenant': 't1' } });
    await cli.genericCall('EchoPingPong', '{"message":"m"}', { metadata: { 'x-trace': 'abc' } });
    await cli.close();
    const kitex = kitexClientStrInfo();
    expect(kitex).toEqual({ isn: 'TestService', 'RPC_TRANSIT_x-trace': 'abc', 'RPC_PERSIST_x-tenant': 't1' });
    expect(received).toEqual(kitex);
  });

  it("a call's persistent values are added to the client's", async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const cli = newClient('TestService', g, { hostPorts: [server.hostPort], persistentMetadata: { a: '1', b: '1' } });
    await cli.genericCall('EchoPingPong', '{"message":"m"}', { persistentMetadata: { b: '2' } });
    await cli.close();
    expect(received).toMatchObject({ RPC_PERSIST_a: '1', RPC_PERSIST_b: '2' });
  });

  it('backward values: the reply string info, as a Kitex client reads it; none over Framed', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const got: Record<string, string>[] = [];
    const tth = newClient('TestService', g, { hostPorts: [server.hostPort], onBackwardMetadata: (v) => got.push(v) });
    const framed = newClient('TestService', g, { hostPorts: [server.hostPort], transport: 'framed' });
    await tth.genericCall('EchoPingPong', '{"message":"m"}');
    await framed.genericCall('EchoPingPong', '{"message":"m"}', { onBackwardMetadata: (v) => got.push(v) });
    await Promise.all([tth.close(), framed.close()]);
    expect(got).toEqual([{ 'x-back': 'b1', 'rpc-backward-x-back': 'b2' }, {}]);
  });
});

describe('metainfo over gRPC', () => {
  it('persistent values as rpc-persist- headers, keys lower case with _ as - (gopkg CGIVariableToHTTPHeader)', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const cli = newStreamingClient('TestService', g, { hostPorts: [server.hostPort], persistentMetadata: { X_TENANT: 't1' } });
    await cli.genericCall('EchoUnary', '{"message":"m"}', { persistentMetadata: { 'x-zone': 'z' } });
    await cli.close();
    expect(received).toMatchObject({ 'rpc-persist-x-tenant': 't1', 'rpc-persist-x-zone': 'z' });
  });

  it('backward values from rpc-backward- response metadata, keys in metainfo upper case', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    let got: Record<string, string> | undefined;
    const cli = newStreamingClient('TestService', g, { hostPorts: [server.hostPort] });
    await cli.genericCall('EchoUnary', '{"message":"m"}', { onBackwardMetadata: (v) => (got = v) });
    await cli.close();
    expect(got).toEqual({ X_BACK: 'b2' });
  });
});
