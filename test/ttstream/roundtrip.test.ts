/**
 * Our ttstream client against our generic server: every call shape, metadata
 * both ways, errors in every form, cancel and deadlines (the server's handler
 * is stopped by the client's Rst), multiplexing, address choice and limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Code,
  RpcError,
  jsonThriftGeneric,
  newGenericServer,
  newStreamingClient,
  thriftContentProvider,
  thriftFileProvider,
  type ClientOptions,
  type GenericClient,
  type GenericServer,
  type Generic,
  type Handlers,
  type ServerContext,
} from '../../src/index.js';
import { TApplicationExceptionType, ThriftApplicationError } from '../../src/frame/index.js';
import { TTStreamClient } from '../../src/ttstream/index.js';
import { seedThriftHandlers } from '../../src/demo/seed-handlers.js';

const msg = (m: string): string => JSON.stringify({ message: m });
const messageOf = (json: string): string => (JSON.parse(json) as { message: string }).message;

/** What the server's handlers saw, for the tests to check. */
const seen: { metadata?: ServerContext['metadata']; peer?: string; aborted?: unknown; ended?: string } = {};

const handlers: Handlers<string, string> = {
  ...seedThriftHandlers,
  async *Echo(requests, ctx) {
    seen.metadata = ctx.metadata;
    seen.peer = ctx.peer;
    ctx.setHeader('x-header', 'h');
    ctx.setTrailer('x-trailer', 't');
    for await (const r of requests) {
      const m = messageOf(r);
      if (m === 'fail') throw new Error('handler failed');
      if (m === 'notfound') throw new RpcError(Code.NOT_FOUND, 'no such thing');
      if (m === 'appex') throw new ThriftApplicationError(TApplicationExceptionType.PROTOCOL_ERROR, 'bad input');
      if (m === 'big') {
        yield msg('x'.repeat(2 * 1024 * 1024));
        continue;
      }
      if (m === 'wait') {
        // until the client's cancel or deadline reaches the handler
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            seen.aborted = ctx.signal.reason;
            resolve();
          });
        });
        return;
      }
      yield msg(`server echo: ${m}`);
    }
    seen.ended = 'input ended';
  },
  async *EchoServer(req, ctx) {
    for (let i = 0; ; i++) {
      if (ctx.signal.aborted) {
        seen.aborted = ctx.signal.reason;
        return;
      }
      if (messageOf(req) === 'three' && i === 3) return;
      yield msg(`${i}`);
      await new Promise((r) => setImmediate(r));
    }
  },
};

let generic: Generic<string, string>;
let server: GenericServer<string, string>;
let other: GenericServer<string, string>;
const clients: Array<GenericClient<string, string> | TTStreamClient> = [];

beforeAll(async () => {
  const text = (await import('node:fs')).readFileSync('examples/idl/streaming.thrift', 'utf8');
  // The client's IDL has a method the server's does not.
  generic = jsonThriftGeneric(await thriftContentProvider(text.replace('service TestService {', 'service TestService {\n  Response Missing (1: Request req) (streaming.mode="bidirectional"),')));
  const serverGeneric = jsonThriftGeneric(await thriftFileProvider('examples/idl/streaming.thrift'));
  server = newGenericServer(serverGeneric, handlers);
  other = newGenericServer(serverGeneric, { ...handlers, async *EchoServer() { yield msg('other'); } });
  await Promise.all([server.start(), other.start()]);
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await Promise.all([server?.close(), other?.close()]);
});

function client(opts: Partial<ClientOptions> = {}): GenericClient<string, string> {
  const c = newStreamingClient('TestService', generic, { hostPorts: [server.hostPort], transport: 'ttstream', ...opts });
  clients.push(c);
  return c;
}

describe('ttstream round trips: our client, our server', () => {
  it('every shape on one client; genericCall goes Framed to the same port', async () => {
    const cli = client();
    const bs = await cli.bidiStreaming('Echo');
    await bs.send(msg('a'));
    expect(await bs.recv()).toBe(msg('server echo: a'));
    bs.close();
    expect(await bs.recv()).toBeUndefined();
    const cs = await cli.clientStreaming('EchoClient');
    for (let i = 0; i < 5; i++) await cs.send(msg(`${i}`));
    expect(await cs.closeAndRecv()).toBe(msg('server received 5 messages'));
    const got: string[] = [];
    for await (const r of await cli.serverStreaming('EchoServer', msg('three'))) got.push(r);
    expect(got).toEqual(['0', '1', '2'].map(msg));
    expect(await cli.genericCall('EchoPingPong', msg('p'))).toBe(msg('server pong: p'));
    expect(await cli.genericCall('EchoUnary', msg('u'))).toBe(msg('server unary: u'));
  });

  it('metadata: metainfo out (transient and persistent), header and trailer back', async () => {
    const cli = client({ metadata: { 'x-client': 'c' }, persistentMetadata: { 'x-tenant': 't1' } });
    const bs = await cli.bidiStreaming('Echo', { metadata: { 'x-call': 'k' }, persistentMetadata: { 'x-p': 'p' } });
    await bs.send(msg('m'));
    expect(await bs.recv()).toBe(msg('server echo: m'));
    bs.close();
    expect(await bs.recv()).toBeUndefined();
    expect(seen.metadata).toEqual({
      isn: 'TestService',
      'RPC_TRANSIT_x-client': 'c',
      'RPC_TRANSIT_x-call': 'k',
      'RPC_PERSIST_x-tenant': 't1',
      'RPC_PERSIST_x-p': 'p',
    });
    expect(await bs.headers).toEqual({ 'x-header': 'h' });
    expect(await bs.trailers).toEqual({ 'x-trailer': 't' });
  });

  it('onConnect tells of each connection; handlers see the client address as ctx.peer', async () => {
    const infos: Array<{ protocol: string; target: string; localPort: number }> = [];
    const cli = client({ onConnect: (i) => infos.push(i) });
    const bs = await cli.bidiStreaming('Echo');
    await bs.send(msg('p'));
    await bs.recv();
    bs.close();
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ protocol: 'ttstream', target: server.hostPort });
    expect(seen.peer).toBe(`127.0.0.1:${infos[0]!.localPort}`);
  });

  it('errors: handler error, an RpcError code, a TApplicationException type; messages before them arrive', async () => {
    const cli = client();
    const cases: Array<[string, (e: RpcError) => void]> = [
      ['fail', (e) => {
        expect(e).toBeInstanceOf(ThriftApplicationError);
        expect(e.code).toBe(Code.INTERNAL);
        expect(e.rawMessage).toBe('biz error: handler failed');
      }],
      ['notfound', (e) => {
        // an RpcError travels as Kitex's biz status and comes back as the same code
        expect(e.code).toBe(Code.NOT_FOUND);
        expect(e.rawMessage).toBe('no such thing');
        expect(e.metadata).toMatchObject({ 'x-header': 'h', 'x-trailer': 't', 'biz-status': '5' });
      }],
      ['appex', (e) => {
        expect((e as ThriftApplicationError).thriftExceptionType).toBe(TApplicationExceptionType.PROTOCOL_ERROR);
        expect(e.rawMessage).toBe('bad input');
      }],
    ];
    for (const [text, check] of cases) {
      const bs = await cli.bidiStreaming('Echo');
      await bs.send(msg('before'));
      await bs.send(msg(text));
      expect(await bs.recv()).toBe(msg('server echo: before'));
      const err = (await bs.recv().catch((e: unknown) => e)) as RpcError;
      expect(err).toBeInstanceOf(RpcError);
      check(err);
      await expect(bs.recv()).rejects.toBe(err);
    }
  });

  it('an unknown method or service ends the stream with an error (Kitex would stay silent)', async () => {
    const cli = client();
    const bs = await cli.bidiStreaming('Missing');
    await bs.send(msg('x'));
    await expect(bs.recv()).rejects.toMatchObject({ code: Code.UNIMPLEMENTED, rawMessage: 'unknown method Missing', thriftExceptionType: 1 });
    const raw = new TTStreamClient({ hostPorts: [server.hostPort] });
    clients.push(raw);
    const s = raw.call({ method: 'Nope', service: 'OtherService' });
    await expect(s.recv()).rejects.toMatchObject({ code: Code.UNIMPLEMENTED, rawMessage: 'unknown service OtherService', thriftExceptionType: 20 });
    const p = raw.call({ method: 'EchoPingPong', service: 'TestService' });
    await expect(p.recv()).rejects.toMatchObject({ code: Code.UNIMPLEMENTED, rawMessage: expect.stringContaining('not a streaming method') });
  });

  it('cancel: the call ends CANCELLED at once and the server handler is aborted by the Rst', async () => {
    const cli = client({ ttstreamReset: true });
    seen.aborted = undefined;
    const ss = await cli.serverStreaming('EchoServer', msg('forever'));
    expect(await ss.recv()).toBe(msg('0'));
    ss.cancel('enough');
    await expect(ss.recv()).rejects.toMatchObject({ code: Code.CANCELLED, rawMessage: 'enough' });
    await until(() => seen.aborted !== undefined);
    expect(seen.aborted).toMatchObject({ code: Code.CANCELLED, rawMessage: 'stream reset by the client: enough' });
  });

  it('leaving a for-await loop early cancels too', async () => {
    const cli = client({ ttstreamReset: true });
    seen.aborted = undefined;
    for await (const r of await cli.serverStreaming('EchoServer', msg('forever'))) if (r === msg('2')) break;
    await until(() => seen.aborted !== undefined);
    expect(seen.aborted).toMatchObject({ code: Code.CANCELLED });
  });

  it('deadline: DEADLINE_EXCEEDED on time; the server hears of it', async () => {
    const cli = client({ ttstreamReset: true });
    seen.aborted = undefined;
    const bs = await cli.bidiStreaming('Echo', { timeoutMs: 50 });
    await bs.send(msg('wait'));
    await expect(bs.recv()).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
    await until(() => seen.aborted !== undefined);
    expect(seen.aborted).toMatchObject({ code: Code.CANCELLED, rawMessage: expect.stringContaining('deadline exceeded') });
  });

  it('an AbortSignal cancels; without ttstreamReset (the default) the server sees only the end of input', async () => {
    const cli = client();
    seen.ended = undefined;
    seen.aborted = undefined;
    const abort = new AbortController();
    const bs = await cli.bidiStreaming('Echo', { signal: abort.signal });
    await bs.send(msg('a'));
    expect(await bs.recv()).toBe(msg('server echo: a'));
    abort.abort(new Error('stop'));
    await expect(bs.recv()).rejects.toMatchObject({ code: Code.CANCELLED, rawMessage: 'stop' });
    await until(() => seen.ended !== undefined);
    expect(seen.aborted).toBeUndefined();
  });

  it('streams are multiplexed on one connection; a too-large message fails only its own stream', async () => {
    const raw = new TTStreamClient({ hostPorts: [server.hostPort], maxReceiveMessageBytes: 1024 * 1024 });
    clients.push(raw);
    const g = generic.method('Echo');
    const streams = Array.from({ length: 50 }, () => raw.call({ method: 'Echo', service: 'TestService' }));
    await Promise.all(streams.map((s, i) => s.send(g.encodeRequest(msg(`${i}`)))));
    const replies = await Promise.all(streams.map((s) => s.recv()));
    expect(replies.map((b) => g.decodeResponse(b!))).toEqual(streams.map((_, i) => msg(`server echo: ${i}`)));
    expect(raw.connectionCount).toBe(1);
    await streams[0]!.send(g.encodeRequest(msg('big')));
    await expect(streams[0]!.recv()).rejects.toMatchObject({ code: Code.RESOURCE_EXHAUSTED });
    await streams[1]!.send(g.encodeRequest(msg('still here')));
    expect(g.decodeResponse((await streams[1]!.recv())!)).toBe(msg('server echo: still here'));
    for (const s of streams) s.closeSend();
    await Promise.all(streams.slice(1).map((s) => s.recv()));
    expect(raw.connectionCount).toBe(1);
  });

  it('thousands of small messages each way: back-pressure waits for the socket, never forever', async () => {
    // Node takes a write larger than the high-water mark at once when the kernel can, and then
    // emits no 'drain': senders waiting on a batch must still go on.
    const cli = client();
    const cs = await cli.clientStreaming('EchoClient');
    for (let i = 0; i < 20_000; i++) await cs.send(msg(`${i}`));
    expect(await cs.closeAndRecv()).toBe(msg('server received 20000 messages'));
    let n = 0;
    for await (const r of await cli.serverStreaming('EchoServer', msg('many'))) {
      expect(r).toBe(msg(`${n}`));
      if (++n === 20_000) break;
    }
  });

  it('a large message round trip (2 MiB, under the limit)', async () => {
    const cli = client();
    const bs = await cli.bidiStreaming('Echo');
    await bs.send(msg('big'));
    expect((await bs.recv())!.length).toBe(msg('x'.repeat(2 * 1024 * 1024)).length);
    bs.close();
  });

  it("messages encoded into the codec's one buffer are kept apart: sent before the connection opens, and large ones queued on the socket", async () => {
    // A fresh client: both sends are held until the connection is open.
    const cli = client();
    const bs = await cli.bidiStreaming('Echo');
    const held = [bs.send(msg('first')), bs.send(msg('second'))];
    await Promise.all(held);
    expect(await bs.recv()).toBe(msg('server echo: first'));
    expect(await bs.recv()).toBe(msg('server echo: second'));
    // Payloads from 16 KiB on go to the socket as they are; 6 MB sent back to back, the socket queues them.
    const texts = Array.from({ length: 160 }, (_, i) => String.fromCharCode(97 + (i % 26)).repeat(40_000 + i));
    const sends = texts.map((t) => bs.send(msg(t)));
    for (const t of texts) expect(await bs.recv()).toBe(msg(`server echo: ${t}`));
    await Promise.all(sends);
    bs.close();
    expect(await bs.recv()).toBeUndefined();
  });

  it('round robin over addresses, a pinned hostPort, an unreachable address skipped', async () => {
    const dead = await deadAddress();
    const raw = new TTStreamClient({ hostPorts: [dead, server.hostPort, other.hostPort] });
    clients.push(raw);
    const g = generic.method('EchoServer');
    const first = async (hostPort?: string): Promise<string> => {
      const s = raw.call({ method: 'EchoServer', service: 'TestService', ...(hostPort ? { hostPort } : {}) });
      await s.send(g.encodeRequest(msg('three')));
      s.closeSend();
      const r = g.decodeResponse((await s.recv())!);
      s.cancel();
      return r;
    };
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add(await first());
    expect(answers).toEqual(new Set([msg('0'), msg('other')]));
    expect(await first(other.hostPort)).toBe(msg('other'));
    expect(await first(server.hostPort)).toBe(msg('0'));
    const pinnedDead = raw.call({ method: 'EchoServer', service: 'TestService', hostPort: dead });
    await expect(pinnedDead.recv()).rejects.toMatchObject({ code: Code.UNAVAILABLE });
  });

  it('close() lets open streams finish, then new calls fail', async () => {
    const cli = client();
    const bs = await cli.bidiStreaming('Echo');
    await bs.send(msg('a'));
    const closing = cli.close();
    expect(await bs.recv()).toBe(msg('server echo: a'));
    bs.close();
    expect(await bs.recv()).toBeUndefined();
    await closing;
    await expect(cli.bidiStreaming('Echo')).rejects.toThrow(/closed/);
  });

  it('usage errors: protobuf or compact over ttstream, ping-pong transports for streams', async () => {
    const { jsonPbGeneric, protoFileProvider } = await import('../../src/index.js');
    const pb = jsonPbGeneric(await protoFileProvider('examples/idl/streaming.proto'));
    expect(() => newStreamingClient('s', pb, { hostPorts: ['127.0.0.1:1'], transport: 'ttstream' })).toThrow(/ttstream carries Thrift/);
    expect(() => newStreamingClient('s', generic, { hostPorts: ['127.0.0.1:1'], transport: 'ttstream', thriftProtocol: 'compact' })).toThrow(/binary/);
    const framed = newStreamingClient('s', generic, { hostPorts: ['127.0.0.1:1'], transport: 'framed' });
    await expect(framed.bidiStreaming('Echo')).rejects.toThrow(/'grpc' or 'ttstream'/);
  });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
}

/** An address nothing listens on. */
async function deadAddress(): Promise<string> {
  const net = await import('node:net');
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as import('node:net').AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `127.0.0.1:${port}`;
}

