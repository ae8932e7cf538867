/**
 * `idlcall call` as a subprocess against in-process generic servers: every
 * call mode, NDJSON in and out (also while stdin still flows), the exit
 * codes, headers and trailers with -v, and Thrift ping-pong over TTHeader.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonPbGeneric, newGenericServer, protoFileProvider, type GenericServer } from '../../src/index.js';
import { makeTestCert, type TestCert } from '../support/tls-cert.js';
import { FIXTURES, ROOT, jsonLines, runCli, startCli, type LiveCli } from './helpers.js';
import { startServers, type TestServers } from './servers.js';

const SEED_PROTO = join(ROOT, 'examples/idl/streaming.proto');
const SEED_THRIFT = join(ROOT, 'examples/idl/streaming.thrift');
const ITEMS_PROTO = join(FIXTURES, 'cli_test.proto');
const ITEMS_THRIFT = join(FIXTURES, 'cli_test.thrift');

let servers: TestServers;
let cert: TestCert;
let tlsServer: GenericServer<string, string>;
const live: LiveCli[] = [];

beforeAll(async () => {
  servers = await startServers();
  cert = makeTestCert();
  tlsServer = newGenericServer(jsonPbGeneric(await protoFileProvider(SEED_PROTO)), { UnaryEcho: (req: string) => req }, {
    tls: { key: cert.key, cert: cert.cert },
  });
  await tlsServer.start();
});

afterAll(async () => {
  await Promise.all(live.map((c) => c.stop()));
  await servers?.close();
  await tlsServer?.close();
});

describe.concurrent('idlcall call: protobuf over gRPC, every mode (seed streaming.proto)', () => {
  it('unary: one JSON line out, exit 0', async () => {
    const r = await runCli(['call', servers.seedProto, 'pb.StreamingService/UnaryEcho', '--idl', SEED_PROTO, '-d', '{"message":"hi"}']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"message":"Echo: hi"}\n');
  });

  it('server streaming: one line per response; --format pretty indents', async () => {
    const r = await runCli(['call', servers.seedProto, 'StreamingService/StreamResponseEcho', '--idl', SEED_PROTO, '-d', '{"message":"x"}']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([0, 1, 2].map((i) => ({ message: `stream response ${i}: x` })));
    const p = await runCli(['call', servers.seedProto, 'StreamResponseEcho', '--idl', SEED_PROTO, '-d', '{"message":"x"}', '--format', 'pretty']);
    expect(p.code).toBe(0);
    expect(p.stdout.split('\n').slice(0, 3)).toEqual(['{', '  "message": "stream response 0: x"', '}']);
  });

  it('client streaming: NDJSON requests from stdin (-d @-)', async () => {
    const input = '{"message":"a"}\n{"message":"b"}\n\n{"message":"c"}\n';
    const r = await runCli(['call', servers.seedProto, 'StreamRequestEcho', '--idl', SEED_PROTO, '-d', '@-'], { input });
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ message: 'Received 3 messages: [a b c]' }]);
  });

  it('client streaming: requests from a file (-d @FILE), pretty-printed documents one after another', async () => {
    const r = await runCli(['call', servers.seedProto, 'StreamRequestEcho', '--idl', SEED_PROTO, '-d', `@${join(FIXTURES, 'requests.json')}`]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ message: 'Received 2 messages: [first second]' }]);
  });

  it('bidirectional: each response is printed while stdin still flows', async () => {
    const cli = startCli(['call', servers.seedProto, 'BidirectionalEcho', '--idl', SEED_PROTO, '-d', '@-']);
    live.push(cli);
    cli.child.stdin.write('{"message":"one"}\n');
    await cli.waitForStdout((t) => t.includes('Echo: one'));
    // The second request is written only after the first response arrived: true streaming.
    cli.child.stdin.write('{"mess');
    cli.child.stdin.write('age":"two"}\n');
    await cli.waitForStdout((t) => t.includes('Echo: two'));
    cli.child.stdin.end();
    expect(await cli.exited).toBe(0);
    expect(jsonLines(cli.stdout())).toEqual([{ message: 'Echo: one' }, { message: 'Echo: two' }]);
  });

  it('protobuf ping-pong over TTHeader (Kitex protobuf) with --transport ttheader', async () => {
    const r = await runCli(['call', servers.seedProto, 'UnaryEcho', '--idl', SEED_PROTO, '--transport', 'ttheader', '-d', '{"message":"pp"}']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ message: 'Echo: pp' }]);
  });
});

describe.concurrent('idlcall call: Thrift (seed streaming.thrift and cli_test.thrift)', () => {
  it('ping-pong over TTHeader with --transport ttheader', async () => {
    const r = await runCli(['call', servers.seedThrift, 'TestService/EchoPingPong', '--idl', SEED_THRIFT, '--transport', 'ttheader', '-d', '{"message":"hi"}']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ message: 'server pong: hi' }]);
  });

  it('ping-pong over framed and buffered, and over gRPC', async () => {
    for (const transport of ['framed', 'buffered', 'grpc']) {
      const r = await runCli(['call', servers.seedThrift, 'EchoPingPong', '--idl', SEED_THRIFT, '-t', transport, '-d', '{"message":"t"}']);
      expect({ transport, code: r.code, out: jsonLines(r.stdout) }).toEqual({ transport, code: 0, out: [{ message: 'server pong: t' }] });
    }
  });

  it('Thrift server streaming and bidirectional streaming over gRPC', async () => {
    const s = await runCli(['call', servers.seedThrift, 'TestService/EchoServer', '--idl', SEED_THRIFT, '-d', '{"message":"q"}']);
    expect(s.code).toBe(0);
    expect(jsonLines(s.stdout)).toHaveLength(3);
    const b = await runCli(['call', servers.seedThrift, 'Echo', '--idl', SEED_THRIFT, '-d', '@-'], { input: '{"message":"1"}\n{"message":"2"}\n' });
    expect(b.code).toBe(0);
    expect(jsonLines(b.stdout)).toEqual([{ message: 'server echo: 1' }, { message: 'server echo: 2' }]);
  });

  it('--transport ttstream: Thrift streams over Kitex TTHeader Streaming; ping-pong then goes Framed', async () => {
    const s = await runCli(['call', servers.seedThrift, 'TestService/EchoServer', '--idl', SEED_THRIFT, '-t', 'ttstream', '-d', '{"message":"q"}']);
    expect({ code: s.code, out: jsonLines(s.stdout) }).toEqual({ code: 0, out: [0, 1, 2].map((i) => ({ message: `server streaming response ${i} for request: q` })) });
    const b = await runCli(['call', servers.seedThrift, 'Echo', '--idl', SEED_THRIFT, '--transport', 'ttstream', '-d', '@-'], { input: '{"message":"1"}\n{"message":"2"}\n' });
    expect({ code: b.code, out: jsonLines(b.stdout) }).toEqual({ code: 0, out: [{ message: 'server echo: 1' }, { message: 'server echo: 2' }] });
    const c = await runCli(['call', servers.seedThrift, 'EchoClient', '--idl', SEED_THRIFT, '-t', 'ttstream', '-d', '@-'], { input: '{"message":"1"}\n{"message":"2"}\n' });
    expect({ code: c.code, out: jsonLines(c.stdout) }).toEqual({ code: 0, out: [{ message: 'server received 2 messages' }] });
    const p = await runCli(['call', servers.seedThrift, 'EchoPingPong', '--idl', SEED_THRIFT, '-t', 'ttstream', '-d', '{"message":"t"}']);
    expect({ code: p.code, out: jsonLines(p.stdout) }).toEqual({ code: 0, out: [{ message: 'server pong: t' }] });
    const pb = await runCli(['call', servers.seedProto, 'StreamResponseEcho', '--idl', SEED_PROTO, '-t', 'ttstream', '-d', '{"message":"x"}']);
    expect(pb.code).toBe(1);
    expect(pb.stderr).toMatch(/ttstream carries Thrift/);
  });

  it('-v over TTHeader prints the reply info as headers (int keys by Kitex name); -H travels as metainfo', async () => {
    const r = await runCli(['call', servers.thriftItems, 'ItemService/Echo', '--idl', ITEMS_THRIFT, '-H', 'x-echo: hello', '-v', '-d', '{"name":"n"}']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ name: 'n', id: 0, scores: [] }]);
    expect(r.stderr).toMatch(/^Connected to 127\.0\.0\.1:\d+ \(127\.0\.0\.1:\d+\) from 127\.0\.0\.1:\d+, ttheader\n/);
    expect(r.stderr.slice(r.stderr.indexOf('\n') + 1)).toBe('Response headers:\n  MsgType: 2\n  x-echo-header: hello\n');
  });

  it('-v over Framed: the reply has no headers, and says so', async () => {
    const r = await runCli(['call', servers.thriftItems, 'ItemService/Echo', '--idl', ITEMS_THRIFT, '-t', 'framed', '-v', '-d', '{"name":"n"}']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^Connected to .*, framed\nResponse headers:\n {2}\(none\)\n$/);
  });

  it('a declared exception prints its JSON on stdout and exits 3', async () => {
    const ok = await runCli(['call', servers.thriftItems, 'ItemService/Get', '--idl', ITEMS_THRIFT, '-d', '{"name":"x","id":9007199254740993}']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('9007199254740993'); // i64 exact through the CLI
    const r = await runCli(['call', servers.thriftItems, 'ItemService/Get', '--idl', ITEMS_THRIFT, '-d', '{"name":"missing"}']);
    expect(r.code).toBe(3);
    expect(jsonLines(r.stdout)).toEqual([{ what: 'missing', code: 404 }]);
    expect(r.stderr).toContain('NotFound');
    // Over gRPC the exception travels in-band (status OK): still exit 3, not 0.
    const g = await runCli(['call', servers.thriftItems, 'ItemService/Get', '--idl', ITEMS_THRIFT, '-t', 'grpc', '-d', '{"name":"missing"}']);
    expect(g.code).toBe(3);
    expect(jsonLines(g.stdout)).toEqual([{ what: 'missing', code: 404 }]);
  });
});

describe.concurrent('idlcall call: exit codes and messages', () => {
  it('NOT_FOUND exits 69 (64 + 5) with a grpcurl-style line', async () => {
    const r = await runCli(['call', servers.items, 'clitest.ItemService/Find', '--idl', ITEMS_PROTO, '-d', '{"name":"nope"}']);
    expect(r.code).toBe(69);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('code = NOT_FOUND (5), message = no item nope');
  });

  it('DEADLINE_EXCEEDED exits 68 (64 + 4) with --timeout', async () => {
    const r = await runCli(['call', servers.items, 'ItemService/Slow', '--idl', ITEMS_PROTO, '-d', '{}', '--timeout', '200ms']);
    expect(r.code).toBe(68);
    expect(r.stderr).toContain('DEADLINE_EXCEEDED');
  });

  it('an unreachable server exits 78 (64 + UNAVAILABLE)', async () => {
    const r = await runCli(['call', '127.0.0.1:1', 'Echo', '--idl', ITEMS_PROTO, '-d', '{}']);
    expect(r.code).toBe(78);
  });

  it.each([
    ['bad JSON', ['-d', '{"name":']],
    ['an unknown field', ['-d', '{"nam":"x"}']],
    ['an unknown method', ['-d', '{}'], 'Echoo'],
    ['a missing --idl', ['--idl']],
    ['an unknown flag', ['--bogus']],
    ['a bad --timeout', ['--timeout', 'soon']],
    ['an IDL with the wrong extension', ['--idl', join(FIXTURES, 'item.txtpb')]],
  ])('%s exits 1 with one line on stderr', async (_label, extra, method = 'Echo') => {
    const r = await runCli(['call', servers.items, method, '--idl', ITEMS_PROTO, ...extra]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^idlcall call: /);
  });

  it('a bad line in a request stream names the request and exits 1', async () => {
    const r = await runCli(['call', servers.seedProto, 'StreamRequestEcho', '--idl', SEED_PROTO, '-d', '@-'], {
      input: '{"message":"a"}\n{"message":1}\n',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('request #2');
  });

  it('-v prints response headers and trailers on stderr; -H sends metadata', async () => {
    const r = await runCli(['call', servers.items, 'Echo', '--idl', ITEMS_PROTO, '-H', 'x-echo: hello', '-v', '-d', '{"name":"n"}']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ name: 'n' }]);
    expect(r.stderr).toMatch(/Response headers:[\s\S]*x-echo-header: hello/);
    expect(r.stderr).toMatch(/Response trailers:[\s\S]*x-echo-trailer: hello/);
  });

  it('--emit-defaults writes zero-valued fields; 64-bit values stay exact', async () => {
    const r = await runCli(['call', servers.items, 'Echo', '--idl', ITEMS_PROTO, '--emit-defaults', '-d', '{"id":"-9007199254740993"}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"id":"-9007199254740993"');
    expect(r.stdout).toContain('"name":""');
    expect(r.stdout).toContain('"scores":[]');
  });

  it('TLS: --cacert verifies the server; without it the handshake fails (UNAVAILABLE)', async () => {
    const args = ['call', tlsServer.hostPort, 'UnaryEcho', '--idl', SEED_PROTO, '-d', '{"message":"secret"}'];
    const [ok, untrusted, insecure] = await Promise.all([
      runCli([...args, '--cacert', cert.certPath, '--servername', 'localhost']),
      runCli([...args, '--tls']),
      runCli([...args, '--insecure']),
    ]);
    expect(ok.stderr).toBe('');
    expect(jsonLines(ok.stdout)).toEqual([{ message: 'secret' }]);
    expect(untrusted.code).toBe(78);
    expect(jsonLines(insecure.stdout)).toEqual([{ message: 'secret' }]);
  });

  it('--compress gzip works against our server', async () => {
    const r = await runCli(['call', servers.items, 'Echo', '--idl', ITEMS_PROTO, '--compress', 'gzip', '-d', '{"name":"zip"}']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ name: 'zip' }]);
  });
});
