/**
 * `idlcall call` against peers that are not ours: the grpc-python server for
 * gpt_engine.proto (the package must be in :path), and `idlcall serve --echo`
 * run as a subprocess.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPythonPeer, type PythonPeer } from '../support/python-peer.js';
import { FIXTURES, ROOT, jsonLines, runCli, startCli, type LiveCli } from './helpers.js';
import { oracles } from '../support/oracles.js';

const GPT_PROTO = join(ROOT, 'test/fixtures/generic/gpt_engine.proto');
const SEED_PROTO = join(ROOT, 'examples/idl/streaming.proto');
const SEED_THRIFT = join(ROOT, 'examples/idl/streaming.thrift');
const ITEMS_PROTO = join(FIXTURES, 'cli_test.proto');
const pythonReady = oracles('python-grpc', 'python-grpc-tools');

let peer: PythonPeer;
let target: string;
const live: LiveCli[] = [];

beforeAll(async () => {
  if (!pythonReady) return;
  peer = await startPythonPeer(join(ROOT, 'test/peers/grpc_pb_server.py'), [GPT_PROTO]);
  target = `127.0.0.1:${peer.port}`;
});

afterAll(async () => {
  await Promise.all(live.map((c) => c.stop()));
  await peer?.stop();
});

describe.skipIf(!pythonReady).concurrent('idlcall call ⇄ grpc-python (search.gpt_engine.GPTStreamService)', () => {
  it('unary Ask with -H metadata; -v shows the echoed header and trailer; int64 as a string', async () => {
    const r = await runCli(['call', target, 'search.gpt_engine.GPTStreamService/Ask', '--idl', GPT_PROTO, '-H', 'x-echo: abc', '-v', '-d', '{"prompt":"why","requestId":"9007199254740993"}']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ text: 'answer: why', requestId: '9007199254740993' }]);
    expect(r.stderr).toMatch(/Response headers:[\s\S]*x-echo-header: abc/);
    expect(r.stderr).toMatch(/Response trailers:[\s\S]*x-echo-trailer: abc/);
  });

  it('server streaming GPTGeneration: three lines', async () => {
    const r = await runCli(['call', target, 'GPTStreamService/GPTGeneration', '--idl', GPT_PROTO, '-d', '{"prompt":"p","requestId":"7"}']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([
      { text: 'p #0', requestId: '7' },
      { text: 'p #1', requestId: '7', index: 1 },
      { text: 'p #2', requestId: '7', index: 2 },
    ]);
  });

  it('client streaming Collect from NDJSON on stdin', async () => {
    const input = ['{"prompt":"a","requestId":"1"}', '{"prompt":"b","requestId":"2"}', '{"prompt":"c","requestId":"3"}'].join('\n') + '\n';
    const r = await runCli(['call', target, 'Collect', '--idl', GPT_PROTO, '-d', '@-'], { input });
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ text: 'collected: a,b,c', requestId: '6', index: 3 }]);
  });

  it('bidirectional Chat: responses arrive while stdin is still open', async () => {
    const cli = startCli(['call', target, 'Chat', '--idl', GPT_PROTO, '-d', '@-']);
    live.push(cli);
    cli.child.stdin.write('{"prompt":"hello"}\n');
    await cli.waitForStdout((t) => t.includes('chat: hello'));
    cli.child.stdin.write('{"prompt":"again"}\n');
    await cli.waitForStdout((t) => t.includes('chat: again'));
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
    expect(jsonLines(cli.stdout())).toEqual([{ text: 'chat: hello' }, { text: 'chat: again', index: 1 }]);
  });

  it('Fail answers NOT_FOUND: exit 69', async () => {
    const r = await runCli(['call', target, 'Fail', '--idl', GPT_PROTO, '-d', '{"prompt":"x"}']);
    expect(r.code).toBe(69);
    expect(r.stderr).toContain('code = NOT_FOUND (5), message = not here: x');
  });

  it('a method missing from the server (our IDL has it, the peer does not): UNIMPLEMENTED, exit 76', async () => {
    const r = await runCli(['call', target, 'clitest.ItemService/Echo', '--idl', ITEMS_PROTO, '-d', '{}']);
    expect(r.code).toBe(76);
  });
});

describe.concurrent('idlcall serve --echo as a subprocess', () => {
  it('prints its address, echoes every mode (unary re-encoded as the response type), stops on SIGTERM', async () => {
    const server = startCli(['serve', '--idl', ITEMS_PROTO, '--echo', '--listen', '127.0.0.1:0']);
    live.push(server);
    const addr = (await server.waitForStdout((t) => t.includes('\n'))).trim();
    expect(addr).toMatch(/^127\.0\.0\.1:\d+$/);
    const [unary, bidi, find] = await Promise.all([
      // Find takes an Item and returns a Reply: fields Reply lacks (scores, color) are dropped.
      runCli(['call', addr, 'ItemService/Find', '--idl', ITEMS_PROTO, '-d', '{"name":"n","id":"5","scores":[1],"color":"RED"}']),
      runCli(['call', addr, 'CountStream', '--idl', ITEMS_PROTO, '-d', '@-'], { input: '{"name":"a"}\n{"name":"b"}\n' }),
      runCli(['call', addr, 'Echo', '--idl', ITEMS_PROTO, '--transport', 'ttheader', '-d', '{"name":"pp","scores":[1,2]}']),
    ]);
    expect(jsonLines(unary.stdout)).toEqual([{ name: 'n', id: '5' }]);
    expect(jsonLines(bidi.stdout)).toEqual([{ name: 'a' }, { name: 'b' }]);
    expect(jsonLines(find.stdout)).toEqual([{ name: 'pp', scores: [1, 2] }]);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('serves Thrift too: ping-pong over TTHeader and server streaming over gRPC', async () => {
    const server = startCli(['serve', '--idl', SEED_THRIFT, '--echo']);
    live.push(server);
    const addr = (await server.waitForStdout((t) => t.includes('\n'))).trim();
    const [pp, ss, cs] = await Promise.all([
      runCli(['call', addr, 'TestService/EchoPingPong', '--idl', SEED_THRIFT, '--transport', 'ttheader', '-d', '{"message":"m"}']),
      runCli(['call', addr, 'EchoServer', '--idl', SEED_THRIFT, '-d', '{"message":"s"}']),
      runCli(['call', addr, 'EchoClient', '--idl', SEED_THRIFT, '-d', '@-'], { input: '{"message":"1"}{"message":"2"}' }),
    ]);
    expect(jsonLines(pp.stdout)).toEqual([{ message: 'm' }]);
    expect(jsonLines(ss.stdout)).toEqual([{ message: 's' }]);
    expect(jsonLines(cs.stdout)).toEqual([{ message: '2' }]);
    await server.stop();
  });

  it('serve without --echo exits 1 and says what to add', async () => {
    const r = await runCli(['serve', '--idl', SEED_PROTO]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--echo');
  });
});
