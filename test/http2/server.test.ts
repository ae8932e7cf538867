import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import { Code, RpcError } from '../../src/errors/index.js';
import { GrpcChannel, createGrpcServer, decodeBinaryValue, unaryCall } from '../../src/http2/index.js';
import type { GrpcServer, ServerCall } from '../../src/http2/index.js';
import { activeResources, settleResources } from '../support/resources.js';
import { makeTestCert } from '../support/tls-cert.js';

/** Echo handlers by method name, written against ServerCall only. */
async function handle(call: ServerCall): Promise<void> {
  const method = call.path.slice(call.path.lastIndexOf('/') + 1);
  const echo: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.metadata)) if (k.startsWith('x-')) echo['echo-' + k.slice(2)] = String(v);
  call.sendHeaders(echo);
  switch (method) {
    case 'Unary':
    case 'Bidi':
      for (let m = await call.recv(); m !== undefined; m = await call.recv()) await call.send(m);
      break;
    case 'ServerStream': {
      const m = (await call.recv())!;
      for (let i = 0; i < 4; i++) await call.send(m);
      break;
    }
    case 'ClientStream': {
      const parts: Uint8Array[] = [];
      for (let m = await call.recv(); m !== undefined; m = await call.recv()) parts.push(m);
      await call.send(Buffer.concat(parts));
      break;
    }
    case 'Fail':
      throw new RpcError(Code.PERMISSION_DENIED, 'nope ü', { details: [{ typeUrl: 'type.googleapis.com/t.D', value: Uint8Array.from([1, 2]) }] });
    case 'Throw':
      throw new Error('plain failure');
    case 'Hang':
      await new Promise<void>((resolve) => call.signal.addEventListener('abort', () => resolve()));
      hangAborted.push(String((call.signal.reason as RpcError).code));
      return;
    case 'Deadline':
      hangDeadline.push(call.deadline !== undefined ? call.deadline - Date.now() : -1);
      await new Promise<void>((resolve) => call.signal.addEventListener('abort', () => resolve()));
      return;
    default:
      call.end({ code: Code.UNIMPLEMENTED, message: `unknown method ${method}` });
      return;
  }
  call.end({ code: Code.OK, trailers: { 'trail-done': 'yes', 'trail-bin': Buffer.from([9, 8]) } });
}
const hangAborted: string[] = [];
const hangDeadline: number[] = [];

const id = (b: Buffer): Buffer => b;

describe('our server, grpc-js client', () => {
  let server: GrpcServer;
  let client: grpc.Client;
  let baseline: ReturnType<typeof activeResources>;
  beforeAll(async () => {
    baseline = activeResources();
    server = createGrpcServer(handle);
    const { port } = await server.listen(0, '127.0.0.1');
    client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    await server.close();
    expect(await settleResources(baseline)).toEqual({});
  });

  const md = (): grpc.Metadata => {
    const m = new grpc.Metadata();
    m.set('x-who', 'grpc-js');
    return m;
  };

  it('unary with metadata and trailers', async () => {
    let trailers: grpc.Metadata | undefined;
    let headers: grpc.Metadata | undefined;
    const res = await new Promise<Buffer>((resolve, reject) => {
      const c = client.makeUnaryRequest('/test.Echo/Unary', id, id, Buffer.from('hi'), md(), (err, v) => (err ? reject(err) : resolve(v!)));
      c.on('metadata', (m) => (headers = m));
      c.on('status', (s) => (trailers = s.metadata));
    });
    expect(res.toString()).toBe('hi');
    expect(headers!.get('echo-who')).toEqual(['grpc-js']);
    await new Promise((r) => setTimeout(r, 10));
    expect(trailers!.get('trail-done')).toEqual(['yes']);
    expect(trailers!.get('trail-bin')).toEqual([Buffer.from([9, 8])]);
  });

  it('server streaming, client streaming, bidi', async () => {
    const ss = client.makeServerStreamRequest('/test.Echo/ServerStream', id, id, Buffer.from('s'), md());
    const got: string[] = [];
    for await (const m of ss) got.push((m as Buffer).toString());
    expect(got).toEqual(['s', 's', 's', 's']);

    const cs = await new Promise<Buffer>((resolve, reject) => {
      const c = client.makeClientStreamRequest('/test.Echo/ClientStream', id, id, md(), (err, v) => (err ? reject(err) : resolve(v!)));
      for (let i = 0; i < 5; i++) c.write(Buffer.from(String(i)));
      c.end();
    });
    expect(cs.toString()).toBe('01234');

    const bidi = client.makeBidiStreamRequest('/test.Echo/Bidi', id, id, md());
    const echoed: string[] = [];
    const done = new Promise<void>((resolve) => bidi.on('end', resolve));
    bidi.on('data', (m: Buffer) => echoed.push(m.toString()));
    for (let i = 0; i < 5; i++) bidi.write(Buffer.from(`b${i}`));
    bidi.end();
    await done;
    expect(echoed).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('errors keep code, percent-encoded message and details; plain throws are UNKNOWN', async () => {
    const err = await new Promise<grpc.ServiceError>((resolve) =>
      client.makeUnaryRequest('/test.Echo/Fail', id, id, Buffer.from('x'), (e) => resolve(e!)),
    );
    expect(err.code).toBe(Code.PERMISSION_DENIED);
    expect(err.details).toBe('nope ü');
    expect(err.metadata.get('grpc-status-details-bin')).toHaveLength(1);
    const err2 = await new Promise<grpc.ServiceError>((resolve) =>
      client.makeUnaryRequest('/test.Echo/Throw', id, id, Buffer.from('x'), (e) => resolve(e!)),
    );
    expect(err2.code).toBe(Code.UNKNOWN);
    expect(err2.details).toBe('plain failure');
  });

  it('client cancellation aborts the handler signal', async () => {
    const c = client.makeUnaryRequest('/test.Echo/Hang', id, id, Buffer.from('x'), () => {});
    await new Promise((r) => setTimeout(r, 50));
    c.cancel();
    for (let i = 0; i < 100 && hangAborted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(hangAborted).toEqual([String(Code.CANCELLED)]);
  });
});

describe('our server, our client', () => {
  let server: GrpcServer;
  let channel: GrpcChannel;
  let baseline: ReturnType<typeof activeResources>;
  beforeAll(async () => {
    baseline = activeResources();
    server = createGrpcServer(handle, { responseCompression: 'gzip' });
    const { port } = await server.listen(0, '127.0.0.1');
    channel = new GrpcChannel({ hostPorts: [`127.0.0.1:${port}`] });
  });
  afterAll(async () => {
    await channel.close();
    await server.close();
    expect(await settleResources(baseline)).toEqual({});
  });

  it('all four modes with compression both ways', async () => {
    const r = await unaryCall(channel, { path: '/t.E/Unary', compression: 'deflate', metadata: { 'x-a': 'b' } }, Buffer.from('u'.repeat(5000)));
    expect(Buffer.from(r.message).toString()).toBe('u'.repeat(5000));
    expect(r.headers['grpc-encoding']).toBe('gzip');
    expect(r.headers['echo-a']).toBe('b');
    expect(r.trailers['trail-done']).toBe('yes');
    expect([...decodeBinaryValue(String(r.trailers['trail-bin']))]).toEqual([9, 8]);

    const ss = channel.call({ path: '/t.E/ServerStream', compression: 'gzip' });
    await ss.send(Buffer.from('s'));
    ss.closeSend();
    let n = 0;
    while ((await ss.recv()) !== undefined) n++;
    expect(n).toBe(4);

    const cs = channel.call({ path: '/t.E/ClientStream' });
    for (let i = 0; i < 100; i++) await cs.send(Buffer.from(String(i % 10)));
    cs.closeSend();
    expect(Buffer.from((await cs.recv())!).toString()).toBe('0123456789'.repeat(10));
    expect(await cs.recv()).toBeUndefined();

    const bidi = channel.call({ path: '/t.E/Bidi' });
    for (let i = 0; i < 20; i++) {
      await bidi.send(Buffer.from(`p${i}`));
      expect(Buffer.from((await bidi.recv())!).toString()).toBe(`p${i}`);
    }
    bidi.closeSend();
    expect(await bidi.recv()).toBeUndefined();
  });

  it('status details and trailers-only errors reach the client', async () => {
    const e = (await unaryCall(channel, { path: '/t.E/Fail' }, Buffer.from('x')).catch((x: unknown) => x)) as RpcError;
    expect(e.code).toBe(Code.PERMISSION_DENIED);
    expect(e.rawMessage).toBe('nope ü');
    expect(e.details.map((d) => [d.typeUrl, [...d.value]])).toEqual([['type.googleapis.com/t.D', [1, 2]]]);
  });

  it('the deadline reaches the handler and ends both sides DEADLINE_EXCEEDED', async () => {
    const e = (await unaryCall(channel, { path: '/t.E/Deadline', timeoutMs: 300 }, Buffer.from('x')).catch((x: unknown) => x)) as RpcError;
    expect(e.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(hangDeadline).toHaveLength(1);
    expect(hangDeadline[0]).toBeGreaterThan(0);
    expect(hangDeadline[0]).toBeLessThanOrEqual(300);
  });

  it('a 100 MB client stream at flat memory', async () => {
    const call = channel.call({ path: '/t.E/Bidi' });
    const msg = Buffer.alloc(1 << 20, 3);
    const reader = (async () => {
      let bytes = 0;
      for (let m = await call.recv(); m !== undefined; m = await call.recv()) bytes += m.length;
      return bytes;
    })();
    const before = process.memoryUsage();
    for (let i = 0; i < 100; i++) await call.send(msg);
    call.closeSend();
    expect(await reader).toBe(100 << 20);
    const after = process.memoryUsage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 << 20);
  });
});

describe('server plumbing', () => {
  it('handleSocket serves a socket accepted elsewhere, with sniffed bytes unshifted', async () => {
    const baseline = activeResources();
    const grpcServer = createGrpcServer(handle);
    const sockets = new Set<net.Socket>();
    // A shared port that peeks at the first bytes, as the generic server does.
    const front = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.once('readable', () => {
        const head = sock.read(3) as Buffer | null;
        expect(head?.toString()).toBe('PRI');
        sock.unshift(head!);
        grpcServer.handleSocket(sock);
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const channel = new GrpcChannel({ hostPorts: [`127.0.0.1:${(front.address() as net.AddressInfo).port}`] });
    const r = await unaryCall(channel, { path: '/t.E/Unary' }, Buffer.from('sniffed'));
    expect(Buffer.from(r.message).toString()).toBe('sniffed');
    await channel.close();
    await grpcServer.close();
    await new Promise<void>((r) => front.close(() => r()));
    for (const s of sockets) s.destroy();
    expect(await settleResources(baseline)).toEqual({});
  });

  it('handleSocket works for a TLS server too (sniffed TLS handshake byte)', async () => {
    const cert = makeTestCert();
    const baseline = activeResources();
    const grpcServer = createGrpcServer(handle, { tls: { key: cert.key, cert: cert.cert } });
    const sockets = new Set<net.Socket>();
    const front = net.createServer((sock) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.once('readable', () => {
        const head = sock.read(1) as Buffer | null;
        expect(head?.[0]).toBe(0x16);
        sock.unshift(head!);
        grpcServer.handleSocket(sock);
      });
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    const channel = new GrpcChannel({ hostPorts: [`127.0.0.1:${(front.address() as net.AddressInfo).port}`], tls: { ca: cert.cert } });
    const r = await unaryCall(channel, { path: '/t.E/Unary' }, Buffer.from('sniffed tls'));
    expect(Buffer.from(r.message).toString()).toBe('sniffed tls');
    await channel.close();
    await grpcServer.close();
    await new Promise<void>((r) => front.close(() => r()));
    for (const s of sockets) s.destroy();
    expect(await settleResources(baseline)).toEqual({});
  });

  it('TLS server with a TLS client (our own), rejecting an untrusted CA', async () => {
    const cert = makeTestCert();
    const server = createGrpcServer(handle, { tls: { key: cert.key, cert: cert.cert } });
    const { port } = await server.listen(0, '127.0.0.1');
    const good = new GrpcChannel({ hostPorts: [`127.0.0.1:${port}`], tls: { ca: cert.cert } });
    expect(Buffer.from((await unaryCall(good, { path: '/t.E/Unary' }, Buffer.from('tls'))).message).toString()).toBe('tls');
    const bad = new GrpcChannel({ hostPorts: [`127.0.0.1:${port}`], tls: true });
    const e = (await unaryCall(bad, { path: '/t.E/Unary' }, Buffer.from('x')).catch((x: unknown) => x)) as RpcError;
    expect(e.code).toBe(Code.UNAVAILABLE);
    await good.close();
    await bad.close();
    await server.close();
  });

  it('refuses non-gRPC content types with HTTP 415', async () => {
    const server = createGrpcServer(handle);
    const { port } = await server.listen(0, '127.0.0.1');
    const ch = new GrpcChannel({ hostPorts: [`127.0.0.1:${port}`] });
    const e = (await unaryCall(ch, { path: '/t.E/Unary', contentType: 'application/json' }, Buffer.from('x')).catch((x: unknown) => x)) as RpcError;
    // The 415 carries grpc-status INTERNAL, which wins over the HTTP mapping.
    expect(e.code).toBe(Code.INTERNAL);
    await ch.close();
    await server.close();
  });
});
