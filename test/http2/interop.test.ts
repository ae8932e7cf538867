import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Code, RpcError } from '../../src/errors/index.js';
import { GrpcChannel, decodeBinaryValue, unaryCall } from '../../src/http2/index.js';
import type { ChannelOptions, ClientCall } from '../../src/http2/index.js';
import { startGrpcJsEchoServer } from '../support/grpcjs-echo-server.js';
import { startPythonPeer } from '../support/python-peer.js';
import { makeTestCert } from '../support/tls-cert.js';
import { oracles } from '../support/oracles.js';
import type { TestCert } from '../support/tls-cert.js';
import { activeResources, settleResources } from '../support/resources.js';
import type { ResourceCounts } from '../support/resources.js';

const pythonReady = oracles('python-grpc');
const PY_SCRIPT = fileURLToPath(new URL('../peers/grpc_raw_server.py', import.meta.url));

interface Peer {
  port: number;
  stop(): Promise<void>;
}

async function drain(call: ClientCall): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await call.recv();
    if (m === undefined) return out;
    out.push(Buffer.from(m).toString());
  }
}

const cert: TestCert = makeTestCert();
let baseline: ResourceCounts;
beforeAll(() => {
  baseline = activeResources();
});
afterAll(async () => {
  // Every channel, peer process and server is gone: no socket, pipe or timer left behind.
  expect(await settleResources(baseline)).toEqual({});
});

type Impl = 'grpc-js' | 'grpc-python';
const impls: Impl[] = ['grpc-js', 'grpc-python'];

for (const impl of impls) {
  for (const tls of [false, true]) {
    describe.skipIf(impl === 'grpc-python' && !pythonReady)(`${impl} server, ${tls ? 'TLS' : 'plaintext'}`, () => {
      let peer: Peer;
      let channel: GrpcChannel;
      beforeAll(async () => {
        if (impl === 'grpc-js') peer = await startGrpcJsEchoServer(tls ? { key: cert.key, cert: cert.cert } : undefined);
        else peer = await startPythonPeer(PY_SCRIPT, tls ? ['--tls', cert.certPath, cert.keyPath] : []);
        const opts: ChannelOptions = { hostPorts: [`127.0.0.1:${peer.port}`] };
        if (tls) opts.tls = { ca: cert.cert, servername: 'localhost' };
        channel = new GrpcChannel(opts);
      });
      afterAll(async () => {
        await channel?.close();
        await peer?.stop();
      });

      for (const gzip of [false, true]) {
        const compression = gzip ? ('gzip' as const) : ('identity' as const);
        // grpc-js servers never compress responses; grpc-python does when asked per call.
        const respCompress: Record<string, string> = gzip && impl === 'grpc-python' ? { 'x-compress': 'gzip' } : {};
        const label = gzip ? 'gzip' : 'identity';

        it(`unary round-trips bytes, metadata and trailers (${label})`, async () => {
          const r = await unaryCall(
            channel,
            { path: '/test.Echo/Unary', compression, metadata: { 'x-hello': 'world', 'x-raw-bin': Buffer.from([0, 1, 254, 255]), ...respCompress } },
            Buffer.from('ping '.repeat(100)),
          );
          expect(Buffer.from(r.message).toString()).toBe('ping '.repeat(100));
          expect(r.headers['echo-hello']).toBe('world');
          expect([...decodeBinaryValue(String(r.headers['echo-raw-bin']))]).toEqual([0, 1, 254, 255]);
          expect(r.trailers['trail-hello']).toBe('world');
          expect(r.trailers['grpc-status']).toBe('0');
          if (respCompress['x-compress']) expect(r.headers['grpc-encoding']).toBe('gzip');
        });

        it(`server streaming (${label})`, async () => {
          const call = channel.call({ path: '/test.Echo/ServerStream', compression, metadata: { 'x-count': '5', ...respCompress } });
          await call.send(Buffer.from('s'.repeat(3000)));
          call.closeSend();
          const got = await drain(call);
          expect(got).toHaveLength(5);
          expect(got.every((g) => g === 's'.repeat(3000))).toBe(true);
          expect((await call.status).code).toBe(0);
          expect((await call.trailers)['trail-count']).toBe('5');
        });

        it(`client streaming (${label})`, async () => {
          const call = channel.call({ path: '/test.Echo/ClientStream', compression, metadata: respCompress });
          const parts: string[] = [];
          for (let i = 0; i < 20; i++) {
            const p = `part-${i};`.repeat(i * 50 + 1);
            parts.push(p);
            await call.send(Buffer.from(p));
          }
          call.closeSend();
          expect(await drain(call)).toEqual([parts.join('')]);
          expect((await call.status).code).toBe(0);
        });

        it(`bidi ping-pong (${label})`, async () => {
          const call = channel.call({ path: '/test.Echo/Bidi', compression, metadata: { 'x-mode': 'bidi', ...respCompress } });
          for (let i = 0; i < 10; i++) {
            await call.send(Buffer.from(`msg-${i}`));
            const m = await call.recv();
            expect(Buffer.from(m!).toString()).toBe(`msg-${i}`);
          }
          expect((await call.headers)['echo-mode']).toBe('bidi');
          call.closeSend();
          expect(await call.recv()).toBeUndefined();
          expect((await call.trailers)['trail-mode']).toBe('bidi');
        });

        it(`error status with message and trailers (${label})`, async () => {
          const msg = 'bad thing: 100% ünïcode';
          const err = await unaryCall(
            channel,
            { path: '/test.Echo/Unary', compression, metadata: { 'x-fail-code': '9', 'x-fail-message': encodeURIComponent(msg), 'x-tag': 't1', ...respCompress } },
            Buffer.from('x'),
          ).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(RpcError);
          const e = err as RpcError;
          expect(e.code).toBe(Code.FAILED_PRECONDITION);
          expect(e.rawMessage).toBe(encodeURIComponent(msg));
          expect(e.metadata['trail-tag']).toBe('t1');
          if (impl === 'grpc-python') {
            expect(e.details).toHaveLength(1);
            expect(e.details[0]!.typeUrl).toBe('type.googleapis.com/test.Detail');
            expect([...e.details[0]!.value]).toEqual([0x08, 0x2a]);
          }
        });
      }

      it('unknown method is UNIMPLEMENTED', async () => {
        const err = await unaryCall(channel, { path: '/test.Echo/Nope' }, Buffer.from('x')).catch((e: unknown) => e);
        expect((err as RpcError).code).toBe(Code.UNIMPLEMENTED);
      });

      it('many concurrent calls share one session', async () => {
        const rs = await Promise.all(
          Array.from({ length: 50 }, (_, i) => unaryCall(channel, { path: '/test.Echo/Unary' }, Buffer.from(`c${i}`))),
        );
        expect(rs.map((r) => Buffer.from(r.message).toString())).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`));
        expect(channel.sessionCount).toBe(1);
      });

      it('a 3 MiB message each way', async () => {
        const big = Buffer.alloc(3 << 20, 7);
        const r = await unaryCall(channel, { path: '/test.Echo/Unary' }, big);
        expect(r.message.length).toBe(big.length);
        expect(Buffer.compare(Buffer.from(r.message), big)).toBe(0);
      });
    });
  }
}
