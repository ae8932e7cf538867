/**
 * The CLI's descriptor-set and reflection paths with idlcall on both ends: `describe
 * --protoset-out` writes what protoc writes, `--protoset` stands in for `--idl` everywhere,
 * `describe` without a symbol shows every service, and `serve` offers reflection and health
 * so `list`, `describe` and `call` need no IDL.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../cli/helpers.js';
import { oracles, PROTO_INCLUDE } from '../support/oracles.js';
import { protocSet } from './protoc.js';

const FIXTURES = path.resolve(__dirname, '../fixtures/proto');
const SEED = path.join(FIXTURES, 'seed/streaming.proto');
const work = mkdtempSync(path.join(tmpdir(), 'idlcall-refl-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!oracles('protoc', 'wkt'))('idlcall describe --protoset-out against protoc', () => {
  it('writes the file and its imports as protoc -o --include_imports does', async () => {
    const out = path.join(work, 'custom.pb');
    const res = await runCli(['describe', '--idl', path.join(FIXTURES, 'custom_options.proto'), '-I', FIXTURES, '-I', PROTO_INCLUDE, '--protoset-out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('service Svc {');
    expect(Buffer.from(readFileSync(out)).equals(Buffer.from(protocSet([FIXTURES, PROTO_INCLUDE], ['custom_options.proto'])))).toBe(true);
  });
});

describe('--protoset wherever --idl is taken', () => {
  const set = path.join(work, 'seed.pb');

  it('describe writes it; list, describe, encode and decode read it like the .proto', async () => {
    const written = await runCli(['describe', '--idl', SEED, 'pb.Request', '--protoset-out', set]);
    expect(written.code, written.stderr).toBe(0);
    const viaIdl = await runCli(['list', '--idl', SEED]);
    const viaSet = await runCli(['list', '--protoset', set]);
    expect(viaSet.code, viaSet.stderr).toBe(0);
    expect(viaSet.stdout).toBe(viaIdl.stdout);
    const d = await runCli(['describe', '--protoset', set, 'pb.Request']);
    expect(d.stdout).toBe((await runCli(['describe', '--idl', SEED, 'pb.Request'])).stdout);
    const enc = await runCli(['encode', '--protoset', set, 'pb.Request', '-d', '{"message":"hi"}', '--out', 'hex']);
    expect(enc.stdout).toBe((await runCli(['encode', '--idl', SEED, 'pb.Request', '-d', '{"message":"hi"}', '--out', 'hex'])).stdout);
    const dec = await runCli(['decode', '--protoset', set, 'pb.Request', '--in', 'hex', '-d', enc.stdout.trim()]);
    expect(dec.stdout).toBe('{"message":"hi"}\n');
  });

  it('describe without a symbol shows every service; bad combinations exit 1', async () => {
    const all = await runCli(['describe', '--idl', SEED]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^\/\/ pb\.StreamingService \(streaming\.proto\)\nservice StreamingService \{/);
    const both = await runCli(['list', '--idl', SEED, '--protoset', set]);
    expect([both.code, both.stderr]).toEqual([1, 'idlcall list: give --idl or --protoset, not both\n']);
    const none = await runCli(['list']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--idl FILE or --protoset FILE is required/);
    const garbage = path.join(work, 'garbage.pb');
    const missing = await runCli(['list', '--protoset', garbage]);
    expect([missing.code, missing.stderr]).toEqual([1, `idlcall list: --protoset ${garbage}: no such file\n`]);
    const notASet = await runCli(['list', '--protoset', SEED]);
    expect(notASet.code).toBe(1);
    expect(notASet.stderr).toMatch(/^idlcall list: streaming\.proto: not a FileDescriptorSet/);
  });

  it('serve --protoset offers reflection and health: list, describe, call and health need no IDL', async () => {
    const server = startCli(['serve', '--protoset', set, '--echo']);
    try {
      const hostPort = (await server.waitForStdout((t) => t.includes('\n'))).trim();
      const list = await runCli(['list', hostPort, '--json']);
      expect(list.code, list.stderr).toBe(0);
      const services = (JSON.parse(list.stdout) as { services: Array<{ fullName: string; methods: unknown[] }> }).services;
      expect(services.map((s) => s.fullName)).toEqual([
        'pb.StreamingService',
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
      ]);
      expect(services[0]!.methods.length).toBe(4);
      const described = await runCli(['describe', hostPort, 'pb.Response']);
      expect(described.stdout).toBe((await runCli(['describe', '--idl', SEED, 'pb.Response'])).stdout);
      const call = await runCli(['call', hostPort, 'pb.StreamingService/UnaryEcho', '-d', '{"message":"no idl"}']);
      expect([call.code, call.stdout]).toEqual([0, '{"message":"no idl"}\n']);
      expect((await runCli(['health', hostPort, 'pb.StreamingService'])).stdout).toBe('status: SERVING\n');
    } finally {
      await server.stop();
    }
  });
});
