import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonPbGeneric,
  jsonThriftGeneric,
  newGenericServer,
  protoFileProvider,
  thriftFileProvider,
  type GenericServer,
} from '../src/index.js';
import { seedProtoHandlers, seedThriftHandlers } from '../src/demo/seed-handlers.js';
import { startEtcd, type EtcdServer } from './support/etcd.js';
import { oracles } from './support/oracles.js';

// The README's TypeScript examples run exactly as written (against the built package), so
// the documentation cannot drift from the API.
const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dist = resolve('dist/index.js');
const dir = mkdtempSync(join(tmpdir(), 'idlcall-readme-'));

/** Where blocks that import devDependencies run: inside the repository, so bare imports resolve. */
const REPO_BLOCKS = resolve('node_modules/.cache/idlcall-readme');

function runBlock(code: string, target: string, extra = '', env: Record<string, string> = {}, where = dir): Promise<string> {
  mkdirSync(where, { recursive: true });
  const file = join(where, `block-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, code.replaceAll("from 'idlcall'", `from '${dist}'`) + extra);
  return new Promise((ok, fail) =>
    execFile(process.execPath, [file], { env: { ...process.env, TARGET: target, ...env }, timeout: 20_000 }, (err, stdout, stderr) =>
      err ? fail(new Error(`${err.message}\n${stderr}`)) : ok(stdout),
    ),
  );
}

let pb: GenericServer<string, string>;
let thrift: GenericServer<string, string>;

beforeAll(async () => {
  pb = newGenericServer(jsonPbGeneric(await protoFileProvider('examples/idl/streaming.proto')), seedProtoHandlers);
  thrift = newGenericServer(jsonThriftGeneric(await thriftFileProvider('examples/idl/streaming.thrift')), seedThriftHandlers);
  await Promise.all([pb.start(), thrift.start()]);
});

afterAll(async () => {
  await Promise.all([pb?.close(), thrift?.close()]);
  rmSync(dir, { recursive: true, force: true });
  rmSync(REPO_BLOCKS, { recursive: true, force: true });
});

describe('README examples', () => {
  it('has the nine examples', () => {
    expect(blocks).toHaveLength(9);
  });

  it('the retries, hedging and breakers example calls with its policies', async () => {
    const block = blocks.find((b) => b.includes('circuitBreaker'))!;
    const out = (await runBlock(block, thrift.hostPort)).trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(out).toEqual([{ message: 'server unary: hedged' }, { message: 'server echo: retried' }, { message: 'server pong: ping' }]);
  });

  it("the seed's four protobuf examples print every reply", async () => {
    const out = (await runBlock(blocks[0]!, pb.hostPort)).trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(out).toEqual([
      { message: `Received 3 messages: [${[0, 1, 2].map((i) => `grpc client streaming generic ${i}th request`).join(' ')}]` },
      ...[0, 1, 2].map((i) => ({ message: `stream response ${i}: grpc server streaming generic request` })),
      ...[0, 1, 2].map((i) => ({ message: `Echo: grpc bidirectional streaming generic ${i}th request` })),
      { message: 'Echo: unary request' },
    ]);
  });

  it('the Thrift ping-pong example calls over TTHeader', async () => {
    const out = await runBlock(blocks[1]!, thrift.hostPort);
    expect(JSON.parse(out)).toEqual({ message: 'server pong: unary request' });
  });

  it('the TTHeader Streaming example streams, and sends ping-pong Framed', async () => {
    const out = (await runBlock(blocks[4]!, thrift.hostPort)).trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(out).toEqual([
      { message: 'server echo: hello' },
      ...[0, 1, 2].map((i) => ({ message: `server streaming response ${i} for request: hi` })),
      { message: 'server pong: pp' },
    ]);
  });

  it('the mock-server example serves what it says', async () => {
    const code = blocks[2]!.replace("'127.0.0.1:8888'", "'127.0.0.1:0'");
    const check = `
const { newClient: nc, newStreamingClient: ns } = await import('${dist}');
const target = server.hostPort;
const pp = nc('s', g, { hostPorts: [target] });
console.log(await pp.genericCall('EchoPingPong', '{"message":"hi"}'));
const sc = ns('s', g, { hostPorts: [target] });
for await (const r of await sc.serverStreaming('EchoServer', '{"message":"x"}')) console.log(r);
await pp.close(); await sc.close(); await server.close();
`;
    const out = (await runBlock(code, '', check)).trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(out).toEqual([{ message: 'server pong: hi' }, ...[0, 1, 2].map((i) => ({ message: `response ${i}` }))]);
  });

  it('the middleware example: every call logged and authorized, the stream rewritten message by message', async () => {
    const out = (await runBlock(blocks[6]!, pb.hostPort)).trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(out).toEqual([{ message: 'Echo: hi' }, { message: 'Echo: QUIET PLEASE' }]);
  });

  it('the OpenTelemetry example: a SERVER and a CLIENT span of one trace', async () => {
    // Its SDK imports resolve from the repository's devDependencies.
    const out = (await runBlock(blocks[7]!, '', '', {}, REPO_BLOCKS)).trim().split('\n').map((l) => l.split(' '));
    expect(out.map(([name, kind]) => [name, kind])).toEqual([
      ['pb.StreamingService/UnaryEcho', 'SERVER'],
      ['pb.StreamingService/UnaryEcho', 'CLIENT'],
    ]);
    expect(out[0]![2]).toMatch(/^[0-9a-f]{32}$/);
    expect(out[1]![2]).toBe(out[0]![2]);
  });

  it('the reflection example calls with the schema the server describes', async () => {
    expect(JSON.parse(await runBlock(blocks[3]!, pb.hostPort))).toEqual({ message: 'Echo: unary request' });
  });
});

const etcdReady = oracles('etcd');

describe.skipIf(!etcdReady)('README discovery example', () => {
  let etcd: EtcdServer;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it('registers in etcd, finds itself there, and deregisters', async () => {
    const out = (await runBlock(blocks[5]!, '', '', { ETCD: etcd.endpoint })).trim().split('\n');
    expect(JSON.parse(out[0]!)).toEqual({ message: 'hi' });
    expect(out.slice(1)).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+ weight 10 ready$/)]);
    expect(await etcd.ctl('get', '--prefix', 'kitex/registry-etcd/echo/')).toBe('');
  });
});
