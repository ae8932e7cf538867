/**
 * Our client against a Node server built from `server-framing.ts`: every
 * transport × payload combination on one port, answered in kind, plus the
 * TTHeader extras (metainfo, ACL token, biz status, crrst) and Kitex protobuf
 * error replies.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as net from 'node:net';
import {
  PingPongClient, ServerRequestReader, encodeServerReply, encodeServerException, ThriftApplicationError,
  type ServerRequest, type PingPongTransport, type PayloadProtocol,
} from '../../src/ttheader/index.js';
import { RpcError, Code } from '../../src/errors/index.js';
import { hex } from './helpers.js';

const seen: ServerRequest[] = [];
let server: net.Server;
let port: number;
let connections = 0;
const clients: PingPongClient[] = [];

beforeAll(async () => {
  server = net.createServer((sock) => {
    connections++;
    const reader = new ServerRequestReader();
    sock.on('error', () => {});
    sock.on('data', (chunk) => {
      let reqs: ServerRequest[];
      try {
        reqs = reader.push(chunk);
      } catch {
        sock.destroy();
        return;
      }
      for (const req of reqs) {
        seen.push(req);
        if (req.type === 4) continue; // oneway: no answer
        if (req.name === 'Boom') sock.write(encodeServerException(req, 'boom happened', 6));
        else if (req.name === 'Biz') sock.write(encodeServerReply(req, { body: new Uint8Array([0]), strInfo: new Map([['biz-status', '1001'], ['biz-message', 'not allowed']]) }));
        else if (req.name === 'Reset') sock.write(encodeServerReply(req, { body: req.body, strInfo: new Map([['crrst', '1']]) }));
        else sock.write(encodeServerReply(req, { body: req.body, strInfo: new Map([['echoed', req.name]]) }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await new Promise<void>((r) => server.close(() => r()));
});

function client(transport: PingPongTransport, payloadProtocol: PayloadProtocol, extra: Partial<ConstructorParameters<typeof PingPongClient>[0]> = {}): PingPongClient {
  const c = new PingPongClient({ hostPorts: [`127.0.0.1:${port}`], transport, payloadProtocol, ...extra });
  clients.push(c);
  return c;
}

const combos: Array<[PingPongTransport, PayloadProtocol]> = [
  ['ttheader', 'thrift-binary'], ['ttheader-unframed', 'thrift-binary'], ['ttheader', 'kitex-protobuf'],
  ['framed', 'thrift-binary'], ['framed', 'thrift-compact'], ['framed', 'kitex-protobuf'],
  ['buffered', 'thrift-binary'], ['buffered', 'thrift-compact'],
  ['theader', 'thrift-binary'], ['theader', 'thrift-compact'],
];

// a body each payload protocol's skipper/decoder accepts: an args struct, or (protobuf) any bytes
const bodies: Record<PayloadProtocol, Uint8Array> = {
  'thrift-binary': new Uint8Array([0x0b, 0, 1, 0, 0, 0, 2, 0x68, 0x69, 0]),
  'thrift-compact': new Uint8Array([0x18, 2, 0x68, 0x69, 0]),
  'kitex-protobuf': new Uint8Array([0x0a, 2, 0x68, 0x69]),
};

describe.each(combos)('%s / %s on one shared port', (transport, payload) => {
  it('round trip answered in kind, 30 calls at concurrency 6', async () => {
    const c = client(transport, payload, { maxConnectionsPerHost: 6 });
    const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => c.call({ method: `Echo${i}`, body: bodies[payload] })));
    rs.forEach((r) => expect(hex(r!.body)).toBe(hex(bodies[payload])));
    const last = seen[seen.length - 1]!;
    expect([last.transport, last.payloadProtocol]).toEqual([transport, payload]);
    if (transport.startsWith('ttheader')) expect(rs[0]!.headers.intInfo.get(22)).toBe('2');
    if (transport.startsWith('ttheader') || transport === 'theader') expect(rs[3]!.headers.strInfo.get('echoed')).toBe('Echo3');
  });

  it('EXCEPTION reply → ThriftApplicationError (Kitex protobuf: ErrorProto)', async () => {
    const c = client(transport, payload);
    const e = await c.call({ method: 'Boom', body: bodies[payload] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ThriftApplicationError);
    expect((e as ThriftApplicationError).thriftExceptionType).toBe(6);
    expect((e as ThriftApplicationError).rawMessage).toBe('boom happened');
    expect((e as RpcError).code).toBe(Code.INTERNAL);
  });
});

describe('TTHeader extras', () => {
  it('metainfo as RPC_TRANSIT_/RPC_PERSIST_, the GDPR token in the ACL block, caller names', async () => {
    const c = client('ttheader', 'thrift-binary', { fromService: 'caller.svc', fromMethod: 'Handle' });
    await c.call({
      method: 'Meta', body: bodies['thrift-binary'], idlServiceName: 'Svc', toService: 'callee.svc', timeoutMs: 1500,
      metadata: { user: 'u1', 'gdpr-token': 'secret', empty: '' }, persistentMetadata: { tenant: 't1' },
    });
    const req = seen.find((r) => r.name === 'Meta')!;
    expect(req.strInfo).toEqual(new Map([['isn', 'Svc'], ['RPC_TRANSIT_user', 'u1'], ['RPC_PERSIST_tenant', 't1']]));
    expect(req.aclToken).toBe('secret');
    expect(req.intInfo).toEqual(new Map([[6, 'callee.svc'], [9, 'Meta'], [22, '1'], [1, 'framed'], [12, '1500'], [3, 'caller.svc'], [20, 'Handle']]));
  });

  it('biz-status → RpcError with the business code and message', async () => {
    const c = client('ttheader', 'thrift-binary');
    const e = await c.call({ method: 'Biz', body: bodies['thrift-binary'] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RpcError);
    expect((e as RpcError).code).toBe(1001);
    expect((e as RpcError).rawMessage).toBe('not allowed');
  });

  it('oneway: MsgType 4, no reply awaited', async () => {
    const c = client('ttheader', 'thrift-binary');
    expect(await c.call({ method: 'Fire', oneway: true, body: bodies['thrift-binary'] })).toBeUndefined();
    for (let i = 0; i < 100 && !seen.some((r) => r.name === 'Fire'); i++) await new Promise((r) => setTimeout(r, 5));
    const req = seen.find((r) => r.name === 'Fire')!;
    expect([req.type, req.intInfo.get(22)]).toEqual([4, '4']);
    // the connection is reused for the next call
    await c.call({ method: 'After', body: bodies['thrift-binary'] });
  });

  it('crrst: reply delivered, connection not reused', async () => {
    const c = client('ttheader', 'thrift-binary');
    const before = connections;
    const r = await c.call({ method: 'Reset', body: bodies['thrift-binary'] });
    expect(r!.headers.strInfo.get('crrst')).toBe('1');
    await c.call({ method: 'Echo', body: bodies['thrift-binary'] });
    expect(connections).toBe(before + 2);
  });
});
