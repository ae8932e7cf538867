/**
 * Reflection and health against @grpc/grpc-js, both ways: our reflection client (v1, as
 * @grpc/reflection serves it) and `idlcall health` against a grpc-js server with
 * @grpc/reflection and grpc-health-check; and grpc-js clients against our server: the
 * reflection answers decoded by protobufjs, then used by @grpc/proto-loader to call our
 * server with no `.proto` at hand, and grpc-health-check's schema for Check and Watch.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonPbGeneric,
  newGenericServer,
  newStreamingClient,
  protoFileProvider,
  protoReflectionProvider,
  UsageError,
  type GenericServer,
} from '../../src/index.js';
import { fetchReflection } from '../../src/reflection/reflection-client.js';
import { runCli } from '../cli/helpers.js';
import { startGrpcJsEchoServer, type GrpcJsEchoServer } from '../support/grpcjs-echo-server.js';

const require = createRequire(import.meta.url);
const { FileDescriptorProto } = require('protobufjs/ext/descriptor') as { FileDescriptorProto: { decode(b: Uint8Array): object } };
const SEED = path.resolve(__dirname, '../fixtures/proto/seed/streaming.proto');
const REFLECTION_PROTO = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');

type Json = Record<string, unknown>;

describe('@grpc/grpc-js with @grpc/reflection and grpc-health-check as the server', () => {
  let server: grpc.Server;
  let address = '';
  let health: HealthImplementation;
  beforeAll(async () => {
    const def = protoLoader.loadSync(SEED, { keepCase: false });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { pb: { StreamingService: { service: grpc.ServiceDefinition } } };
    server = new grpc.Server();
    server.addService(pkg.pb.StreamingService.service, {
      UnaryEcho: (call: grpc.ServerUnaryCall<Json, Json>, cb: grpc.sendUnaryData<Json>) => cb(null, { message: `js: ${String(call.request.message)}` }),
      StreamResponseEcho: (call: grpc.ServerWritableStream<Json, Json>) => {
        for (let i = 0; i < 3; i++) call.write({ message: `${String(call.request.message)} ${i}` });
        call.end();
      },
      StreamRequestEcho: (call: grpc.ServerReadableStream<Json, Json>, cb: grpc.sendUnaryData<Json>) => {
        const got: string[] = [];
        call.on('data', (m: Json) => got.push(String(m.message)));
        call.on('end', () => cb(null, { message: got.join('+') }));
      },
      BidirectionalEcho: (call: grpc.ServerDuplexStream<Json, Json>) => {
        call.on('data', (m: Json) => call.write({ message: `re: ${String(m.message)}` }));
        call.on('end', () => call.end());
      },
    });
    new ReflectionService(def).addToServer(server);
    health = new HealthImplementation({ '': 'SERVING', 'pb.StreamingService': 'SERVING' });
    health.addToServer(server);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    address = `127.0.0.1:${port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));

  it('our reflection client speaks v1 to it, lists the services and calls every shape through the schema it got', async () => {
    const got = await fetchReflection(address);
    expect(got.version).toBe('v1');
    const p = await protoReflectionProvider(address);
    expect(p.servedServices).toContain('pb.StreamingService');
    expect(p.service?.fullName).toBe('pb.StreamingService');
    expect(p.service?.methods.map((m) => [m.name, m.streamingMode])).toEqual([
      ['StreamRequestEcho', 'client'],
      ['StreamResponseEcho', 'server'],
      ['BidirectionalEcho', 'bidirectional'],
      ['UnaryEcho', 'unary'],
    ]);
    const cli = newStreamingClient('pb.StreamingService', jsonPbGeneric(p), { hostPorts: [address] });
    try {
      expect(await cli.genericCall('UnaryEcho', '{"message":"hi"}')).toBe('{"message":"js: hi"}');
      const out: string[] = [];
      for await (const m of await cli.serverStreaming('StreamResponseEcho', '{"message":"s"}')) out.push(m);
      expect(out).toEqual(['{"message":"s 0"}', '{"message":"s 1"}', '{"message":"s 2"}']);
      const cs = await cli.clientStreaming('StreamRequestEcho');
      await cs.send('{"message":"a"}');
      await cs.send('{"message":"b"}');
      expect(await cs.closeAndRecv()).toBe('{"message":"a+b"}');
      const bs = await cli.bidiStreaming('BidirectionalEcho');
      await bs.send('{"message":"x"}');
      expect(await bs.recv()).toBe('{"message":"re: x"}');
      bs.close();
      expect(await bs.recv()).toBeUndefined();
    } finally {
      await cli.close();
    }
  });

  it('idlcall list and call use its reflection; idlcall health follows grpc-health-check', async () => {
    const list = await runCli(['list', address]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^pb\.StreamingService$/m);
    const call = await runCli(['call', address, 'pb.StreamingService/UnaryEcho', '-d', '{"message":"cli"}']);
    expect([call.code, call.stdout]).toEqual([0, '{"message":"js: cli"}\n']);
    expect((await runCli(['health', address, 'pb.StreamingService'])).code).toBe(0);
    health.setStatus('pb.StreamingService', 'NOT_SERVING');
    const down = await runCli(['health', address, 'pb.StreamingService']);
    expect([down.code, down.stdout]).toEqual([4, 'status: NOT_SERVING\n']);
    expect((await runCli(['health', address, 'other.Service'])).code).toBe(3);
  });
});

describe('a server without reflection (grpc-js, raw echo service)', () => {
  let echo: GrpcJsEchoServer;
  beforeAll(async () => {
    echo = await startGrpcJsEchoServer();
  });
  afterAll(() => echo.stop());

  it('protoReflectionProvider is a UsageError saying reflection is unavailable; idlcall exits 1 asking for --idl or --protoset', async () => {
    const err = await protoReflectionProvider(`127.0.0.1:${echo.port}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(String(err)).toMatch(/does not offer gRPC server reflection \(grpc\.reflection\.v1 and v1alpha are both UNIMPLEMENTED\)/);
    const list = await runCli(['list', `127.0.0.1:${echo.port}`]);
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(/^idlcall list: the server at 127\.0\.0\.1:\d+ does not offer gRPC server reflection .*; give the schema with --idl FILE or --protoset FILE\n$/);
    const call = await runCli(['call', `127.0.0.1:${echo.port}`, 'test.Echo/Unary']);
    expect(call.code).toBe(1);
    // No health service there either: the check fails (3), it does not count as "not serving".
    const health = await runCli(['health', `127.0.0.1:${echo.port}`]);
    expect(health.code).toBe(3);
    expect(health.stderr).toMatch(/does not implement grpc\.health\.v1\.Health/);
  });
});

describe('grpc-js clients against our server', () => {
  let server: GenericServer<string, string>;
  beforeAll(async () => {
    const p = await protoFileProvider(SEED);
    server = newGenericServer(jsonPbGeneric(p), {
      UnaryEcho: (req) => JSON.stringify({ message: `ours: ${(JSON.parse(req) as { message: string }).message}` }),
    });
    await server.start();
  });
  afterAll(() => server.close());

  /** One ServerReflectionInfo exchange through grpc-js and protobufjs (proto-loader). */
  async function reflect(requests: Json[]): Promise<Json[]> {
    const def = protoLoader.loadSync(REFLECTION_PROTO, { keepCase: true, bytes: Buffer, defaults: false, oneofs: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { reflection: { v1: { ServerReflection: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & Json } } };
    };
    const client = new pkg.grpc.reflection.v1.ServerReflection(server.hostPort, grpc.credentials.createInsecure());
    try {
      const call = (client.ServerReflectionInfo as () => grpc.ClientDuplexStream<Json, Json>)();
      const out: Json[] = [];
      const done = new Promise<void>((resolve, reject) => {
        call.on('data', (m: Json) => out.push(m));
        call.on('end', resolve);
        call.on('error', reject);
      });
      for (const r of requests) call.write(r);
      call.end();
      await done;
      return out;
    } finally {
      client.close();
    }
  }

  it('reflection answers that grpc-js decodes, and whose descriptors proto-loader turns into a working client', async () => {
    const [list, files, missing] = await reflect([
      { list_services: '*' },
      { file_containing_symbol: 'pb.StreamingService' },
      { file_containing_symbol: 'pb.Nope' },
    ]);
    expect((list!.list_services_response as { service: Array<{ name: string }> }).service.map((s) => s.name)).toEqual([
      'pb.StreamingService',
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
    ]);
    expect(missing!.error_response).toEqual({ error_code: 5, error_message: 'symbol "pb.Nope" not found' });
    const protos = (files!.file_descriptor_response as { file_descriptor_proto: Buffer[] }).file_descriptor_proto;
    expect(protos.length).toBe(1);
    // proto-loader builds a client from nothing but what our reflection sent.
    const fromReflection = protoLoader.loadFileDescriptorSetFromObject(
      { file: protos.map((b) => FileDescriptorProto.decode(b)) },
      {},
    );
    const svc = grpc.loadPackageDefinition(fromReflection) as unknown as {
      pb: { StreamingService: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & Json };
    };
    const client = new svc.pb.StreamingService(server.hostPort, grpc.credentials.createInsecure());
    try {
      const res = await new Promise<Json>((resolve, reject) =>
        (client.UnaryEcho as (r: Json, cb: (e: Error | null, r: Json) => void) => void)({ message: 'via grpc-js' }, (e, r) => (e ? reject(e) : resolve(r))),
      );
      expect(res).toEqual({ message: 'ours: via grpc-js' });
    } finally {
      client.close();
    }
  });

  it('health through grpc-health-check\'s schema: Check, then Watch as the status changes', async () => {
    const def = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      grpc: { health: { v1: { Health: new (a: string, c: grpc.ChannelCredentials) => grpc.Client & Json } } };
    };
    const client = new pkg.grpc.health.v1.Health(server.hostPort, grpc.credentials.createInsecure());
    const check = (service: string): Promise<Json> =>
      new Promise((resolve) =>
        (client.Check as (r: Json, cb: (e: grpc.ServiceError | null, r: Json) => void) => void)({ service }, (e, r) => resolve(e ? { code: e.code } : r)),
      );
    try {
      expect(await check('')).toEqual({ status: 'SERVING' });
      expect(await check('pb.StreamingService')).toEqual({ status: 'SERVING' });
      expect(await check('nope')).toEqual({ code: grpc.status.NOT_FOUND });
      const watch = (client.Watch as (r: Json) => grpc.ClientReadableStream<Json>)({ service: 'pb.StreamingService' });
      const seen: string[] = [];
      const next = (n: number): Promise<void> =>
        new Promise((resolve) => {
          const tick = (): void => void (seen.length >= n ? resolve() : setTimeout(tick, 5));
          tick();
        });
      watch.on('data', (m: Json) => seen.push(String(m.status)));
      watch.on('error', () => undefined);
      await next(1);
      server.setServingStatus('pb.StreamingService', 'NOT_SERVING');
      await next(2);
      expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
      expect(await check('pb.StreamingService')).toEqual({ status: 'NOT_SERVING' });
      watch.cancel();
    } finally {
      client.close();
    }
  });
});
