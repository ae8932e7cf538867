/**
 * Reflection and health against grpc-go 1.33 from Debian, both ways: our reflection client
 * and `idlcall` against a grpc-go server with grpc-go's test service (every call shape),
 * health and reflection (v1alpha only, so the v1 → v1alpha fallback is exercised); and a
 * grpc-go client against our generic server's reflection and health. No IDL file is used
 * where the schema should come from reflection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonPbGeneric,
  newGenericServer,
  newStreamingClient,
  protoDescriptorSetProvider,
  protoFileProvider,
  protoReflectionProvider,
  type GenericServer,
} from '../../src/index.js';
import { runCli } from '../cli/helpers.js';
import { goPeer, runGoClient, startGoClient, startGoServer, type GoServer } from '../support/go-peer.js';
import { GO_DEBIAN_GOPATH, oracles, PROTO_INCLUDE } from '../support/oracles.js';
import { fileSnapshot } from './model-snapshot.js';
import { filesOf, protocSet } from './protoc.js';

const ready = oracles('go', 'go-grpc', 'protoc', 'wkt');
const FIXTURES = path.resolve(__dirname, '../fixtures/proto');
const GRPC_GO = path.join(GO_DEBIAN_GOPATH, 'src/google.golang.org/grpc');
const work = mkdtempSync(path.join(tmpdir(), 'idlcall-refl-go-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bodyOf = (json: string): number => Buffer.from((JSON.parse(json) as { payload?: { body?: string } }).payload?.body ?? '', 'base64').length;

describe.skipIf(!ready)('grpc-go 1.33 (Debian) as the peer', () => {
  let serverBin = '';
  let clientBin = '';
  beforeAll(async () => {
    [serverBin, clientBin] = await Promise.all([goPeer('reflection_server'), goPeer('reflection_client')]);
  }, 300_000);

  describe('our reflection client and idlcall against a grpc-go server', () => {
    let go: GoServer;
    beforeAll(async () => {
      go = await startGoServer(serverBin);
    });
    afterAll(() => go?.stop());

    it('lists its services and fetches test.proto, the same file protoc compiles from the same source', async () => {
      const p = await protoReflectionProvider(go.address);
      expect(p.servedServices).toEqual(['grpc.health.v1.Health', 'grpc.reflection.v1alpha.ServerReflection', 'grpc.testing.TestService']);
      expect(p.service?.fullName).toBe('grpc.testing.TestService');
      expect(p.registry.mainFile.name).toBe('test/grpc_testing/test.proto');
      const compiled = await protoDescriptorSetProvider(protocSet([GRPC_GO], ['test/grpc_testing/test.proto']));
      expect(fileSnapshot(p.registry.mainFile)).toEqual(fileSnapshot(compiled.registry.mainFile));
      // The bytes grpc-go serves (protoc-gen-go's copy) are what we keep and would serve again.
      expect(Buffer.from(p.descriptorSet()).length).toBeGreaterThan(0);
      expect(p.registry.files.map((f) => f.name).sort()).toEqual([
        'grpc/health/v1/health.proto',
        'reflection/grpc_reflection_v1alpha/reflection.proto',
        'test/grpc_testing/test.proto',
      ]);
    });

    it('calls every TestService method through the reflected schema, with no IDL on disk', async () => {
      const p = await protoReflectionProvider(go.address, { service: 'grpc.testing.TestService' });
      expect(p.servedServices).toBeUndefined(); // only the service's files were asked for
      const cli = newStreamingClient('grpc.testing.TestService', jsonPbGeneric(p), { hostPorts: [go.address] });
      try {
        expect(await cli.genericCall('EmptyCall', '{}')).toBe('{}');
        const unary = await cli.genericCall('UnaryCall', '{"responseType":"COMPRESSABLE","responseSize":5,"fillUsername":true}');
        expect(JSON.parse(unary)).toMatchObject({ username: 'go-peer' });
        expect(bodyOf(unary)).toBe(5);
        const out = await cli.serverStreaming('StreamingOutputCall', '{"responseParameters":[{"size":1},{"size":2},{"size":3}]}');
        const sizes: number[] = [];
        for await (const m of out) sizes.push(bodyOf(m));
        expect(sizes).toEqual([1, 2, 3]);
        const input = await cli.clientStreaming('StreamingInputCall');
        for (const n of [3, 4, 5]) await input.send(JSON.stringify({ payload: { body: Buffer.alloc(n).toString('base64') } }));
        expect(JSON.parse(await input.closeAndRecv())).toEqual({ aggregatedPayloadSize: 12 });
        for (const method of ['FullDuplexCall', 'HalfDuplexCall']) {
          const bidi = await cli.bidiStreaming(method);
          for (const n of [2, 7]) await bidi.send(JSON.stringify({ responseParameters: [{ size: n }] }));
          bidi.close();
          const got: number[] = [];
          for await (const m of bidi) got.push(bodyOf(m));
          expect(got, method).toEqual([2, 7]);
        }
      } finally {
        await cli.close();
      }
    });

    it('idlcall lists, describes and calls the test service with no --idl', async () => {
      const list = await runCli(['list', go.address]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/^grpc\.testing\.TestService$/m);
      expect(list.stdout).toMatch(/^ {2}FullDuplexCall +bidi streaming +\(stream grpc\.testing\.StreamingOutputCallRequest\)/m);
      const all = await runCli(['describe', go.address]);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout).toContain('service TestService {');
      expect(all.stdout).toContain('service ServerReflection {');
      const msg = await runCli(['describe', go.address, 'grpc.testing.SimpleRequest']);
      expect(msg.stdout).toContain('message SimpleRequest {\n  grpc.testing.PayloadType response_type = 1;');
      const call = await runCli(['call', go.address, 'grpc.testing.TestService/UnaryCall', '-d', '{"responseSize":3,"fillUsername":true}']);
      expect(call.code, call.stderr).toBe(0);
      expect(JSON.parse(call.stdout)).toEqual({ payload: { body: 'AAAA' }, username: 'go-peer' });
      const stream = await runCli(['call', go.address, 'TestService/FullDuplexCall', '-d', '@-'], {
        input: '{"responseParameters":[{"size":1}]}\n{"responseParameters":[{"size":2}]}\n',
      });
      expect(stream.stdout.trim().split('\n').map(bodyOf)).toEqual([1, 2]);
      // The fetched descriptors written out, then used instead of reflection.
      const setPath = path.join(work, 'go.protoset');
      const out = await runCli(['describe', go.address, 'grpc.testing.TestService', '--protoset-out', setPath]);
      expect(out.code, out.stderr).toBe(0);
      const viaSet = await runCli(['call', go.address, 'grpc.testing.TestService/StreamingInputCall', '--protoset', setPath, '-d', '{"payload":{"body":"AAAA"}}']);
      expect(JSON.parse(viaSet.stdout)).toEqual({ aggregatedPayloadSize: 3 });
    });

    it('idlcall health: 0 serving, 4 not serving, 3 for an unknown service, 2 when nothing listens', async () => {
      const serving = await runCli(['health', go.address]);
      expect([serving.code, serving.stdout]).toEqual([0, 'status: SERVING\n']);
      expect((await runCli(['health', go.address, 'grpc.testing.TestService'])).code).toBe(0);
      await go.command('status grpc.testing.TestService NOT_SERVING');
      const down = await runCli(['health', go.address, 'grpc.testing.TestService']);
      expect([down.code, down.stdout]).toEqual([4, 'status: NOT_SERVING\n']);
      await go.command('status grpc.testing.TestService SERVING');
      const unknown = await runCli(['health', go.address, 'no.such.Service']);
      expect(unknown.code).toBe(3);
      expect(unknown.stderr).toMatch(/NOT_FOUND/);
      const closed = await runCli(['health', '127.0.0.1:1', '--connect-timeout', '2s']);
      expect(closed.code).toBe(2);
      expect(closed.stderr).toMatch(/cannot connect to 127\.0\.0\.1:1: .*ECONNREFUSED/);
      expect((await runCli(['health', 'not-a-host-port'])).code).toBe(1);
    });
  });

  describe('a grpc-go client against our generic server', () => {
    let server: GenericServer<string, string>;
    let protocFiles: Map<string, Buffer>;
    beforeAll(async () => {
      const p = await protoFileProvider(path.join(FIXTURES, 'custom_options.proto'), { includeDirs: [FIXTURES, PROTO_INCLUDE] });
      server = newGenericServer(jsonPbGeneric(p), { Get: (req) => req });
      await server.start();
      protocFiles = new Map(filesOf(protocSet([FIXTURES, PROTO_INCLUDE], ['custom_options.proto'])).map(([n, b]) => [n, Buffer.from(b)]));
    });
    afterAll(() => server?.close());

    it('reflection: the services, protoc-identical files by symbol and by name, NOT_FOUND errors, extensions', async () => {
      const [report] = (await runGoClient(clientBin, [server.hostPort, 'reflect', 'google.protobuf.FieldOptions', '50000'])) as Array<{
        services: string[];
        files: Record<string, { raw: string; fields: Record<string, string[]>; services: Record<string, Array<{ name: string; clientStreaming: boolean }>> }>;
        bySymbol: Record<string, string[]>;
        byFilename: Record<string, string[]>;
        errors: Record<string, { code: number; message: string }>;
        extensionFiles: string[];
        extensionNumbers: number[];
      }>;
      expect(report!.services).toEqual(['edge.opts.Svc', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']);
      expect(report!.bySymbol['edge.opts.Svc']).toEqual(['custom_options.proto', 'google/protobuf/descriptor.proto']);
      for (const name of ['custom_options.proto', 'google/protobuf/descriptor.proto']) {
        const f = report!.files[name]!;
        expect(Buffer.from(f.raw, 'base64').equals(protocFiles.get(name)!), name).toBe(true);
      }
      // As golang/protobuf decodes them.
      expect(report!.files['custom_options.proto']!.fields['edge.opts.Rule']).toEqual([
        'name=1:LABEL_OPTIONAL:TYPE_STRING', 'level=2:LABEL_OPTIONAL:TYPE_INT32', 'tags=3:LABEL_REPEATED:TYPE_STRING',
        'child=4:LABEL_OPTIONAL:TYPE_MESSAGE.edge.opts.Rule', 'mode=5:LABEL_OPTIONAL:TYPE_ENUM.edge.opts.Rule.Mode',
        'ratio=6:LABEL_OPTIONAL:TYPE_DOUBLE', 'enabled=7:LABEL_OPTIONAL:TYPE_BOOL',
      ]);
      expect(report!.files['grpc/health/v1/health.proto']!.services['grpc.health.v1.Health']!.map((m) => m.name)).toEqual(['Check', 'List', 'Watch']);
      expect(report!.files['grpc/reflection/v1/reflection.proto']!.services['grpc.reflection.v1.ServerReflection']![0]!.clientStreaming).toBe(true);
      expect(report!.byFilename['custom_options.proto']).toEqual(['custom_options.proto', 'google/protobuf/descriptor.proto']);
      expect(report!.byFilename['google/protobuf/descriptor.proto']).toEqual(['google/protobuf/descriptor.proto']);
      expect(Object.values(report!.errors).map((e) => e.code)).toEqual([5, 5]);
      expect(report!.extensionFiles).toEqual(['custom_options.proto']);
      expect(report!.extensionNumbers).toEqual([50000, 50001, 50002, 50003, 50004]);
    });

    it('health: Check, and Watch through a change and the shutdown (NOT_SERVING, then the end)', async () => {
      const checks = await runGoClient(clientBin, [server.hostPort, 'check', '-', 'edge.opts.Svc', 'no.such.Service']);
      expect(checks).toEqual([
        { service: '-', status: 'SERVING' },
        { service: 'edge.opts.Svc', status: 'SERVING' },
        { service: 'no.such.Service', code: 5, message: 'unknown service "no.such.Service"' },
      ]);
      const watch = startGoClient(clientBin, [server.hostPort, 'watch', 'edge.opts.Svc']);
      const later = startGoClient(clientBin, [server.hostPort, 'watch', 'added.Later']);
      try {
        await watch.waitForLines(1);
        await later.waitForLines(1);
        server.setServingStatus('edge.opts.Svc', 'NOT_SERVING');
        await watch.waitForLines(2);
        server.setServingStatus('edge.opts.Svc', 'SERVING');
        server.setServingStatus('added.Later', 'SERVING');
        await watch.waitForLines(3);
        await later.waitForLines(2);
        await server.close();
        expect(await watch.waitForLines(5)).toEqual([
          { status: 'SERVING' },
          { status: 'NOT_SERVING' },
          { status: 'SERVING' },
          { status: 'NOT_SERVING' },
          { end: 14, message: 'the server is shutting down' },
        ]);
        expect((await later.waitForLines(4)).slice(0, 3)).toEqual([{ status: 'SERVICE_UNKNOWN' }, { status: 'SERVING' }, { status: 'NOT_SERVING' }]);
      } finally {
        watch.kill();
        later.kill();
      }
    });
  });
});
