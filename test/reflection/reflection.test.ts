/**
 * Our reflection and health on their own: what a generic server offers (and does not, when
 * turned off; what a Thrift server offers), the descriptors going round trip through our
 * server and client, and the reflection client against hostile servers: garbage, too much,
 * silence, a stream cut short, a missing dependency. Peers judge the protocol elsewhere
 * (peers-go, peers-grpc-js); here nothing may hang, crash or come back untyped.
 */
import net from 'node:net';
import * as path from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Code,
  IdlError,
  jsonPbGeneric,
  jsonThriftGeneric,
  newGenericServer,
  protoFileProvider,
  protoReflectionProvider,
  RpcError,
  thriftFileProvider,
  UsageError,
  type GenericServer,
} from '../../src/index.js';
import { createGrpcServer, type GrpcServer, type ServerCall } from '../../src/http2/index.js';
import { encodeReflectionResponse } from '../../src/reflection/reflection-messages.js';
import { fetchReflection } from '../../src/reflection/reflection-client.js';
import { runCli } from '../cli/helpers.js';
import { makeTestCert } from '../support/tls-cert.js';
import { filesOf } from './protoc.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/proto');
const THRIFT = path.resolve(__dirname, '../../examples/idl/streaming.thrift');

describe('our server and our client', () => {
  let server: GenericServer<string, string>;
  let served: Awaited<ReturnType<typeof protoFileProvider>>;
  beforeAll(async () => {
    served = await protoFileProvider(path.join(FIXTURES, 'wkt_usage.proto'), { includeDirs: [FIXTURES] });
    server = newGenericServer(jsonPbGeneric(served), {});
    await server.start();
  });
  afterAll(() => server.close());

  it('the descriptors go round trip: reflection gives back the files the server loaded, byte for byte', async () => {
    const p = await protoReflectionProvider(server.hostPort);
    expect(p.service?.fullName).toBe(served.service!.fullName);
    const back = new Map(filesOf(p.descriptorSet()).map(([n, b]) => [n, Buffer.from(b).toString('hex')]));
    for (const [name, bytes] of filesOf(served.descriptorSet())) expect(back.get(name), name).toBe(Buffer.from(bytes).toString('hex'));
  });

  it('setServingStatus takes SERVING or NOT_SERVING only', () => {
    expect(() => server.setServingStatus('x', 'UNKNOWN' as 'SERVING')).toThrow(UsageError);
  });
});

describe('over TLS', () => {
  it('reflection and idlcall health verify the server certificate', async () => {
    const cert = makeTestCert();
    const p = await protoFileProvider(path.join(FIXTURES, 'seed/streaming.proto'));
    const server = newGenericServer(jsonPbGeneric(p), {}, { tls: { key: cert.key, cert: cert.cert } });
    await server.start();
    try {
      const got = await protoReflectionProvider(server.hostPort, { tls: { ca: cert.cert } });
      expect(got.service?.fullName).toBe('pb.StreamingService');
      const untrusted = await protoReflectionProvider(server.hostPort, { tls: true, timeoutMs: 5000 }).catch((e: unknown) => e);
      expect(untrusted).toBeInstanceOf(RpcError);
      const ok = await runCli(['health', server.hostPort, '--cacert', cert.certPath]);
      expect([ok.code, ok.stdout]).toEqual([0, 'status: SERVING\n']);
      const plain = await runCli(['health', server.hostPort, '--connect-timeout', '2s']);
      expect(plain.code).toBe(2);
      const list = await runCli(['list', server.hostPort, '--cacert', cert.certPath]);
      expect(list.stdout).toMatch(/^pb\.StreamingService$/m);
    } finally {
      await server.close();
    }
  });
});

describe('turned off, and on a Thrift server', () => {
  const servers: Array<GenericServer<string, string>> = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('reflection: false and health: false answer UNIMPLEMENTED; setServingStatus then says why it cannot', async () => {
    const p = await protoFileProvider(path.join(FIXTURES, 'seed/streaming.proto'));
    const server = newGenericServer(jsonPbGeneric(p), {}, { reflection: false, health: false });
    servers.push(server);
    await server.start();
    const err = await protoReflectionProvider(server.hostPort).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((await runCli(['health', server.hostPort])).code).toBe(3);
    expect(() => server.setServingStatus('', 'NOT_SERVING')).toThrow(/health: false/);
  });

  it('a Thrift server answers health over gRPC and lists only health and reflection', async () => {
    const server = newGenericServer(jsonThriftGeneric(await thriftFileProvider(THRIFT)), {});
    servers.push(server);
    await server.start();
    const got = await fetchReflection(server.hostPort);
    expect(got.services).toEqual(['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']);
    expect((await runCli(['health', server.hostPort, 'TestService'])).code).toBe(0);
    server.setServingStatus('TestService', 'NOT_SERVING');
    expect((await runCli(['health', server.hostPort, 'TestService'])).code).toBe(4);
  });

  it('idlcall health exits 2 for a port that speaks no gRPC, and for one that never answers', async () => {
    const server = newGenericServer(jsonThriftGeneric(await thriftFileProvider(THRIFT)), {}, { transports: ['framed'] });
    servers.push(server);
    await server.start();
    const notGrpc = await runCli(['health', server.hostPort]);
    expect(notGrpc.code).toBe(2);
    expect(notGrpc.stderr).toMatch(/^error: cannot connect to 127\.0\.0\.1:\d+: /);
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const res = await runCli(['health', `127.0.0.1:${port}`, '--connect-timeout', '300ms']);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/timed out/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});

describe('the reflection client against hostile servers', () => {
  let grpcServer: GrpcServer;
  let port = 0;
  /** What the fake reflection server does with each call. */
  let behave: (call: ServerCall) => Promise<void> = async () => undefined;
  beforeAll(async () => {
    grpcServer = createGrpcServer((call) => behave(call), { closeGraceMs: 100 });
    port = (await grpcServer.listen(0, '127.0.0.1')).port;
  });
  afterAll(() => grpcServer.close());
  const target = (): string => `127.0.0.1:${port}`;
  const failure = async (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: unknown) => e);

  it('garbage answers: RpcError INTERNAL saying what could not be read (the metadata went along)', async () => {
    let seen: unknown;
    behave = async (call) => {
      seen = call.metadata['authorization'];
      await call.recv();
      await call.send(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
    };
    const err = await failure(fetchReflection(target(), { metadata: { authorization: 'Bearer t0ken' } }));
    expect(seen).toBe('Bearer t0ken');
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(Code.INTERNAL);
    expect((err as RpcError).message).toMatch(/server reflection at 127\.0\.0\.1:\d+: an answer could not be decoded: length .* runs past the end/);
  });

  it('a file descriptor that is not one: INTERNAL', async () => {
    behave = async (call) => {
      const req = (await call.recv())!;
      await call.send(encodeReflectionResponse('', req, { kind: 'services', names: ['x.S'] }));
      const req2 = (await call.recv())!;
      await call.send(encodeReflectionResponse('', req2, { kind: 'files', files: [new Uint8Array([0x0a, 0x09, 0x41])] }));
    };
    const err = await failure(fetchReflection(target()));
    expect((err as RpcError).code).toBe(Code.INTERNAL);
    expect(String(err)).toMatch(/a file descriptor could not be read/);
  });

  it('too much: RESOURCE_EXHAUSTED, for one message (the 16 MiB default) as for the sum of files', async () => {
    behave = async (call) => {
      await call.recv();
      // A message header announcing 17 MiB: refused before anything is buffered.
      const big = new Uint8Array(17 * 1024 * 1024);
      await call.send(big);
    };
    const err = await failure(fetchReflection(target()));
    expect((err as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
    behave = async (call) => {
      const req = (await call.recv())!;
      await call.send(encodeReflectionResponse('', req, { kind: 'services', names: ['a.S', 'b.S'] }));
      for (let i = 0; i < 2; i++) {
        const r = (await call.recv())!;
        const file = toBinary(FileDescriptorProtoSchema, create(FileDescriptorProtoSchema, { name: `f${i}.proto`, package: 'p'.repeat(600) }));
        await call.send(encodeReflectionResponse('', r, { kind: 'files', files: [file] }));
      }
    };
    const sum = await failure(fetchReflection(target(), { maxDescriptorBytes: 1000 }));
    expect((sum as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(String(sum)).toMatch(/the descriptors exceed 1000 bytes/);
  });

  it('silence: DEADLINE_EXCEEDED after timeoutMs; a stream cut short: INTERNAL', async () => {
    behave = async (call) => {
      await call.recv();
      await new Promise((r) => setTimeout(r, 2000));
    };
    const slow = await failure(fetchReflection(target(), { timeoutMs: 200 }));
    expect((slow as RpcError).code).toBe(Code.DEADLINE_EXCEEDED);
    behave = async (call) => {
      await call.recv();
      call.end({ code: Code.OK });
    };
    const cut = await failure(fetchReflection(target()));
    expect((cut as RpcError).code).toBe(Code.INTERNAL);
    expect(String(cut)).toMatch(/the stream ended after 0 of 1 answers/);
  });

  it('a dependency the server cannot give: IdlError naming the file and the import', async () => {
    const served = await protoFileProvider(path.join(FIXTURES, 'wkt_usage.proto'), { includeDirs: [FIXTURES] });
    const real = newGenericServer(jsonPbGeneric(served), {});
    await real.start();
    try {
      const files = (await fetchReflection(real.hostPort)).files;
      const main = files.find((f) => Buffer.from(f).includes(Buffer.from('wkt_usage.proto')))!;
      behave = async (call) => {
        for (;;) {
          const req = await call.recv();
          if (!req) return call.end({ code: Code.OK });
          const isList = req[0] === 0x3a;
          await call.send(
            encodeReflectionResponse('', req, isList ? { kind: 'services', names: [served.service!.fullName] } : req[0] === 0x22 ? { kind: 'files', files: [main] } : { kind: 'error', code: Code.NOT_FOUND, message: 'gone' }),
          );
        }
      };
      const err = await failure(protoReflectionProvider(target()));
      expect(err).toBeInstanceOf(IdlError);
      expect(String(err)).toMatch(/^IdlError: wkt_usage\.proto: imports "google\/protobuf\/any\.proto", which is not in the reflection answers of 127\.0\.0\.1:\d+$/);
    } finally {
      await real.close();
    }
  });
});
