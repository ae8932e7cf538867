// genericCall's onResponseMetadata over the ping-pong transports, against our own generic
// server: TTHeader int info under Kitex's key names plus string info as headers, THeader
// headers, nothing for Framed and Buffered, empty trailers; handlers' setHeader on ping-pong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeclaredException,
  RpcError,
  jsonPbGeneric,
  jsonThriftGeneric,
  newClient,
  newGenericServer,
  protoContentProvider,
  thriftContentProvider,
  type GenericServer,
  type Metadata,
} from '../../src/index.js';
import { intInfoKeyName, pingPongReplyMetadata } from '../../src/generic/reply-metadata.js';

const THRIFT = `
namespace go md
struct Msg { 1: string text }
exception Oops { 1: string why }
service MetaService {
  Msg Echo(1: Msg m)
  Msg Plain(1: Msg m)
  Msg Fail(1: Msg m) throws (1: Oops oops)
  Msg Broken(1: Msg m)
  oneway void Fire(1: Msg m)
}
`;

const PROTO = `
syntax = "proto3";
package md;
message Msg { string text = 1; }
service PbMeta { rpc Echo(Msg) returns (Msg); }
`;

const thrift = jsonThriftGeneric(thriftContentProvider(THRIFT));
const pb = jsonPbGeneric(protoContentProvider(PROTO));
let server: GenericServer<string, string>;
let pbServer: GenericServer<string, string>;
let fired = 0;

beforeAll(async () => {
  server = newGenericServer(thrift, {
    Echo: (req, ctx) => {
      ctx.setHeader('x-served-by', 'meta');
      ctx.setTrailer('x-done', 'yes');
      const echo = ctx.metadata['RPC_TRANSIT_x-echo'];
      if (typeof echo === 'string') ctx.setHeader('x-echo-header', echo);
      return req;
    },
    Plain: (req) => req,
    Fail: (_req, ctx) => {
      ctx.setHeader('x-served-by', 'meta');
      throw new DeclaredException('Oops', 'oops', 1, '{"why":"no"}');
    },
    Broken: (_req, ctx) => {
      ctx.setHeader('x-served-by', 'meta');
      throw new Error('handler broke');
    },
    Fire: () => {
      fired++;
      return ''; // oneway: nothing is sent back
    },
  });
  pbServer = newGenericServer(pb, {
    Echo: (req, ctx) => {
      ctx.setHeader('x-pb', '1');
      return req;
    },
  });
  await Promise.all([server.start(), pbServer.start()]);
});

afterAll(async () => {
  await Promise.all([server?.close(), pbServer?.close()]);
});

/** One Echo call over `transport`; what the callback received (or undefined when not called). */
async function echoMetadata(
  transport: 'ttheader' | 'ttheader-unframed' | 'framed' | 'buffered' | 'theader',
  method = 'Echo',
  metadata?: Record<string, string>,
): Promise<{ res: string; headers: Metadata; trailers: Metadata; calls: number }> {
  const cli = newClient('meta', thrift, { hostPorts: [server.hostPort], transport });
  let headers: Metadata = {};
  let trailers: Metadata = {};
  let calls = 0;
  try {
    const res = await cli.genericCall(method, '{"text":"hi"}', {
      ...(metadata ? { metadata } : {}),
      onResponseMetadata: (h, t) => {
        calls++;
        headers = h;
        trailers = t;
      },
    });
    return { res, headers, trailers, calls };
  } finally {
    await cli.close();
  }
}

describe('onResponseMetadata over ping-pong transports', () => {
  it('TTHeader: int info under Kitex key names (replies carry MsgType 2) plus the string info the handler set; no trailers', async () => {
    const r = await echoMetadata('ttheader');
    expect(r.res).toBe('{"text":"hi"}');
    expect(r.calls).toBe(1);
    expect(r.headers).toEqual({ MsgType: '2', 'x-served-by': 'meta', 'x-done': 'yes' });
    expect(r.trailers).toEqual({});
  });

  it('TTHeader without the inner Framed: the same', async () => {
    const r = await echoMetadata('ttheader-unframed');
    expect(r.headers).toEqual({ MsgType: '2', 'x-served-by': 'meta', 'x-done': 'yes' });
  });

  it('request metadata travels as RPC_TRANSIT_ metainfo; what the handler echoes comes back', async () => {
    const r = await echoMetadata('ttheader', 'Echo', { 'x-echo': 'abc' });
    expect(r.headers['x-echo-header']).toBe('abc');
  });

  it('a reply without headers set still gives its int info', async () => {
    const r = await echoMetadata('ttheader', 'Plain');
    expect(r.headers).toEqual({ MsgType: '2' });
  });

  it('THeader: the reply headers, no int info', async () => {
    const r = await echoMetadata('theader');
    expect(r.res).toBe('{"text":"hi"}');
    expect(r.headers).toEqual({ 'x-served-by': 'meta', 'x-done': 'yes' });
    expect(r.trailers).toEqual({});
  });

  it.each(['framed', 'buffered'] as const)('%s: no headers to give, the callback still reports the call', async (transport) => {
    const r = await echoMetadata(transport);
    expect(r).toEqual({ res: '{"text":"hi"}', headers: {}, trailers: {}, calls: 1 });
  });

  it('Kitex protobuf over TTHeader: the same shape', async () => {
    const cli = newClient('meta', pb, { hostPorts: [pbServer.hostPort] });
    let headers: Metadata = {};
    try {
      expect(await cli.genericCall('Echo', '{"text":"p"}', { onResponseMetadata: (h) => (headers = h) })).toBe('{"text":"p"}');
    } finally {
      await cli.close();
    }
    expect(headers).toEqual({ MsgType: '2', 'x-pb': '1' });
  });

  it('not called for a declared exception (a failure, as over gRPC) nor for a oneway call (no reply)', async () => {
    const cli = newClient('meta', thrift, { hostPorts: [server.hostPort] });
    let calls = 0;
    const onResponseMetadata = (): void => void calls++;
    try {
      await expect(cli.genericCall('Fail', '{"text":"x"}', { onResponseMetadata })).rejects.toBeInstanceOf(DeclaredException);
      expect(await cli.genericCall('Fire', '{"text":"x"}', { onResponseMetadata })).toBeUndefined();
    } finally {
      await cli.close();
    }
    expect(calls).toBe(0);
    for (let i = 0; i < 100 && fired === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(fired).toBe(1);
  });

  it('a handler error: the headers it set arrive in RpcError.metadata with the exception', async () => {
    const cli = newClient('meta', thrift, { hostPorts: [server.hostPort] });
    try {
      const e = await cli.genericCall('Broken', '{"text":"x"}').then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(RpcError);
      expect((e as RpcError).rawMessage).toBe('handler broke');
      expect((e as RpcError).metadata['x-served-by']).toBe('meta');
    } finally {
      await cli.close();
    }
  });
});

describe('reply metadata mapping', () => {
  it('names int keys as Kitex does, unknown ones by number; string info wins a clash', () => {
    expect(intInfoKeyName(22)).toBe('MsgType');
    expect(intInfoKeyName(1)).toBe('TransportType');
    expect(intInfoKeyName(12)).toBe('RPCTimeout');
    expect(intInfoKeyName(999)).toBe('999');
    const md = pingPongReplyMetadata({
      intInfo: new Map([
        [22, '2'],
        [999, 'x'],
        [3, 'from'],
      ]),
      strInfo: new Map([
        ['FromService', 'str'],
        ['crrst', '1'],
      ]),
    });
    expect(md).toEqual({ MsgType: '2', '999': 'x', FromService: 'str', crrst: '1' });
  });
});
