/**
 * A call may name the one address it goes to (`hostPort` on the transports' call options): the
 * way balancers and retries choose instances. Checked on gRPC and ping-pong against two generic
 * servers that say who answered.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, RpcError, jsonThriftGeneric, newGenericServer, thriftFileProvider, type GenericServer } from '../../src/index.js';
import { GrpcChannel } from '../../src/http2/index.js';
import { PingPongClient } from '../../src/ttheader/index.js';

const IDL = 'examples/idl/streaming.thrift';
const servers: GenericServer<string, string>[] = [];
let deadPort = 0;

/** A port nobody listens on: bound, then closed. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

beforeAll(async () => {
  const g = jsonThriftGeneric(await thriftFileProvider(IDL));
  for (const name of ['a', 'b']) {
    const server = newGenericServer(g, {
      EchoPingPong: (req: string) => JSON.stringify({ message: `${name}:${JSON.parse(req).message}` }),
      EchoUnary: (req: string) => JSON.stringify({ message: `${name}:${JSON.parse(req).message}` }),
    });
    await server.start();
    servers.push(server);
  }
  deadPort = await freePort();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** args struct of EchoPingPong/EchoUnary: field 1 = Request{1: message}. */
function args(message: string): Uint8Array {
  const m = Buffer.from(message);
  const b = Buffer.alloc(3 + 3 + 4 + m.length + 2);
  let o = 0;
  b[o++] = 12; b.writeUInt16BE(1, o); o += 2;
  b[o++] = 11; b.writeUInt16BE(1, o); o += 2;
  b.writeUInt32BE(m.length, o); o += 4;
  m.copy(b, o); o += m.length;
  b[o++] = 0; b[o++] = 0;
  return b;
}

/** The message string inside a result struct's success field. */
function resultMessage(body: Uint8Array): string {
  const b = Buffer.from(body);
  const len = b.readUInt32BE(6);
  return b.subarray(10, 10 + len).toString();
}

describe('gRPC: a call goes to the address it names', () => {
  it('pins calls to each server in turn, with no configured hostPorts at all', async () => {
    const channel = new GrpcChannel({ hostPorts: [] });
    try {
      for (const [i, server] of [...servers, ...servers].entries()) {
        const call = channel.call({ path: '/TestService/EchoUnary', contentType: 'application/grpc+thrift', hostPort: server.hostPort });
        await call.send(args(`m${i}`));
        call.closeSend();
        const reply = await call.recv();
        expect(resultMessage(reply!)).toBe(`${i % 2 === 0 ? 'a' : 'b'}:m${i}`);
        await call.status;
      }
      expect(channel.sessionCount).toBe(2);
    } finally {
      await channel.close();
    }
  });

  it('a pinned call to a dead address fails UNAVAILABLE instead of moving to a live one', async () => {
    const channel = new GrpcChannel({ hostPorts: [servers[0]!.hostPort] });
    try {
      const call = channel.call({ path: '/TestService/EchoUnary', contentType: 'application/grpc+thrift', hostPort: `127.0.0.1:${deadPort}` });
      call.closeSend();
      const err = await call.recv().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).code).toBe(Code.UNAVAILABLE);
      expect((err as RpcError).message).toContain(`127.0.0.1:${deadPort}`);
    } finally {
      await channel.close();
    }
  });

  it('an unpinned call with no configured hostPorts fails UNAVAILABLE', async () => {
    const channel = new GrpcChannel({ hostPorts: [] });
    const call = channel.call({ path: '/TestService/EchoUnary' });
    await expect(call.recv()).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    await channel.close();
  });
});

describe('ping-pong: a call goes to the address it names', () => {
  it('pins calls to each server in turn, with no configured hostPorts at all', async () => {
    const client = new PingPongClient({ hostPorts: [], transport: 'framed' });
    try {
      for (const [i, server] of [...servers, ...servers].entries()) {
        const reply = await client.call({ method: 'EchoPingPong', body: args(`m${i}`), hostPort: server.hostPort });
        expect(resultMessage(reply!.body)).toBe(`${i % 2 === 0 ? 'a' : 'b'}:m${i}`);
      }
    } finally {
      await client.close();
    }
  });

  it('a pinned call to a dead address fails UNAVAILABLE; a malformed one INVALID_ARGUMENT; unpinned with no targets UNAVAILABLE', async () => {
    const client = new PingPongClient({ hostPorts: [servers[0]!.hostPort], transport: 'framed' });
    try {
      await expect(client.call({ method: 'EchoPingPong', body: args('x'), hostPort: `127.0.0.1:${deadPort}` })).rejects.toMatchObject({ code: Code.UNAVAILABLE });
      await expect(client.call({ method: 'EchoPingPong', body: args('x'), hostPort: 'nonsense' })).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
      // the configured target still answers
      const reply = await client.call({ method: 'EchoPingPong', body: args('y') });
      expect(resultMessage(reply!.body)).toBe('a:y');
    } finally {
      await client.close();
    }
    const empty = new PingPongClient({ hostPorts: [], transport: 'framed' });
    await expect(empty.call({ method: 'EchoPingPong', body: args('x') })).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    await empty.close();
  });
});
