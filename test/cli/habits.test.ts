/**
 * `idlcall call`, `describe` and `serve` as grpcurl, kitexcall and ghz users type them, run as
 * subprocesses against the suite's servers: exit codes that stay in 64..80, the first error of
 * a stream, causes and the connection story, :authority, Kitex metainfo, the other tools'
 * spellings, every stream input form, and `serve --tls -v`.
 */
import http2 from 'node:http2';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rpcExitCode } from '../../src/cli/exit-codes.js';
import { jsonPbGeneric, newGenericServer, protoFileProvider, type GenericServer } from '../../src/index.js';
import { makeTestCert, type TestCert } from '../support/tls-cert.js';
import { FIXTURES, ROOT, jsonLines, runCli, startCli, type LiveCli } from './helpers.js';
import { startServers, type TestServers } from './servers.js';

const SEED_PROTO = join(ROOT, 'examples/idl/streaming.proto');
const ITEMS_PROTO = join(FIXTURES, 'cli_test.proto');
const ITEMS_THRIFT = join(FIXTURES, 'cli_test.thrift');

let servers: TestServers;
const cert: TestCert = makeTestCert();
let tlsServer: GenericServer<string, string> | undefined;
/** A bare HTTP/2 server that answers every gRPC call with OK and remembers the :authority it got. */
let authorityServer: http2.Http2Server;
let authorityTarget = '';
const authorities: string[] = [];
const live: LiveCli[] = [];
let tmp = '';

beforeAll(async () => {
  servers = await startServers();
  tmp = mkdtempSync(join(tmpdir(), 'idlcall-habits-'));
  authorityServer = http2.createServer();
  authorityServer.on('stream', (stream, headers) => {
    authorities.push(String(headers[':authority']));
    stream.on('data', () => undefined);
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0])); // one empty message: Item {}
    });
  });
  await new Promise<void>((r) => authorityServer.listen(0, '127.0.0.1', r));
  authorityTarget = `127.0.0.1:${(authorityServer.address() as { port: number }).port}`;
  tlsServer = newGenericServer(jsonPbGeneric(await protoFileProvider(SEED_PROTO)), { UnaryEcho: (req: string) => req }, { tls: { key: cert.key, cert: cert.cert } });
  await tlsServer.start();
});

afterAll(async () => {
  await Promise.all(live.map((c) => c.stop()));
  await servers?.close();
  await tlsServer?.close();
  await new Promise<void>((r) => (authorityServer ? authorityServer.close(() => r()) : r()));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('exit codes stay in 64..80', () => {
  it('every status maps into 65..80; codes outside gRPC\'s 1..16 exit as UNKNOWN (66)', () => {
    for (let code = 1; code <= 16; code++) expect(rpcExitCode(code)).toBe(64 + code);
    for (const code of [0, 17, 20, 192, 404, -1, 1.5]) expect(rpcExitCode(code)).toBe(66);
  });

  it.concurrent.each([
    ['192 (it would wrap to exit 0)', '192', 66],
    ['404', '404', 66],
    ["Kitex's own 20", '20', 66],
    ['NOT_FOUND', '5', 69],
  ])('a server status %s (sent as %s) exits %i', async (_label, id, code) => {
    const r = await runCli(['call', servers.items, 'Fail', '--idl', ITEMS_PROTO, '-d', `{"id":"${id}","name":"boom"}`]);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(`(${id}), message = boom`);
  });
});

describe.concurrent('the first error of a stream is the one reported', () => {
  it('a bad line in a bidirectional stream: the line\'s codec error and exit 1, not CANCELLED', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await runCli(['call', servers.items, 'CountStream', '--idl', ITEMS_PROTO, '-d', '@-'], { input: '{"name":"a"}\n{"mesage":"x"}\n' });
      expect(r.stderr).toMatch(/^idlcall call: request #2: .*mesage/);
      expect(r.stderr).not.toContain('CANCELLED');
      expect(r.code).toBe(1);
    }
  });
});

describe.concurrent('why a call failed, and the connection story (-v)', () => {
  it('a refused port: UNAVAILABLE (78) and the cause on its own line', async () => {
    const r = await runCli(['call', '127.0.0.1:1', 'Echo', '--idl', ITEMS_PROTO, '-d', '{}']);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/code = UNAVAILABLE \(14\)[^\n]*\n {2}cause: connect ECONNREFUSED 127\.0\.0\.1:1\n$/);
  });

  it('plaintext to a TLS port and an untrusted certificate say so', async () => {
    const [plain, untrusted] = await Promise.all([
      runCli(['call', tlsServer!.hostPort, 'UnaryEcho', '--idl', SEED_PROTO, '-d', '{}']),
      runCli(['call', tlsServer!.hostPort, 'UnaryEcho', '--idl', SEED_PROTO, '--tls', '-d', '{}']),
    ]);
    expect(plain.code).toBe(78);
    expect(plain.stderr).toMatch(/cause: the server closed the connection before sending HTTP\/2 SETTINGS \(a TLS port reached without TLS/);
    expect(untrusted.code).toBe(78);
    expect(untrusted.stderr).toContain('cause: DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate');
  });

  it('-v over TLS: resolved address, ALPN, the peer certificate, verified', async () => {
    const r = await runCli(['call', `localhost:${tlsServer!.address.port}`, 'UnaryEcho', '--idl', SEED_PROTO, '--cacert', cert.certPath, '-v', '-d', '{"message":"m"}']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Connected to localhost:${tlsServer!.address.port} \\(127\\.0\\.0\\.1:${tlsServer!.address.port}\\) from 127\\.0\\.0\\.1:\\d+, HTTP/2 over TLS`));
    expect(r.stderr).toMatch(/TLS TLSv1\.[23] \S+, ALPN h2/);
    expect(r.stderr).toContain('peer certificate: CN=localhost, issued by CN=localhost');
    expect(r.stderr).toContain('verified against the trusted CAs');
    const insecure = await runCli(['call', tlsServer!.hostPort, 'UnaryEcho', '--idl', SEED_PROTO, '--insecure', '-v', '-d', '{}']);
    expect(insecure.stderr).toContain('NOT verified (DEPTH_ZERO_SELF_SIGNED_CERT)');
  });

  it('--format-error: the status as JSON on stderr, grpcurl-style', async () => {
    const r = await runCli(['call', servers.items, 'Find', '--idl', ITEMS_PROTO, '-format-error', '-d', '{"name":"q"}']);
    expect(r.code).toBe(69);
    expect(JSON.parse(r.stderr)).toEqual({ code: 5, message: 'no item q', details: [] });
  });
});

// Not concurrent: the -H cases check that nothing reached the server meanwhile.
describe(':authority', () => {
  it('defaults to the target host:port; --authority overrides it', async () => {
    const a = await runCli(['call', authorityTarget, 'Echo', '--idl', ITEMS_PROTO, '-d', '{"name":"a1"}']);
    const b = await runCli(['call', authorityTarget, 'Echo', '--idl', ITEMS_PROTO, '--authority', 'items.example:443', '-d', '{"name":"a2"}']);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(authorities).toContain(authorityTarget);
    expect(authorities).toContain('items.example:443');
    expect(authorities).not.toContain('ItemService');
  });

  it.each([
    ['host: x', /-H host: metadata name "host" is reserved; set :authority with --authority/],
    ['grpc-timeout: 1', /-H grpc-timeout: metadata name "grpc-timeout" is reserved/],
    ['content-type: text/plain', /-H content-type: metadata name "content-type" is reserved/],
  ])('-H %j is a usage error (exit 1) before anything is sent', async (header, message) => {
    const before = authorities.length;
    const r = await runCli(['call', authorityTarget, 'Echo', '--idl', ITEMS_PROTO, '-H', header, '-d', '{}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(authorities.length).toBe(before);
  });
});

describe.concurrent('Kitex metainfo: --meta, --meta-persistent, --meta-backward', () => {
  it('over TTHeader: RPC_TRANSIT_ / RPC_PERSIST_ out; the reply string info printed as backward metainfo', async () => {
    const r = await runCli(['call', servers.thriftItems, 'ItemService/Meta', '--idl', ITEMS_THRIFT, '--meta', 'x-trace=abc', '-meta-persistent', 'x-tenant=t1', '-meta-backward', '-d', '{"name":"m"}']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ name: 'm', id: 0, scores: [] }]);
    expect(r.stderr).toBe('Backward metainfo:\n  seen-RPC_PERSIST_x-tenant: t1\n  seen-RPC_TRANSIT_x-trace: abc\n');
  });

  it('over gRPC: rpc-transit- / rpc-persist- headers out (gopkg spelling); rpc-backward- metadata back', async () => {
    const r = await runCli(['call', servers.items, 'Meta', '--idl', ITEMS_PROTO, '--meta', 'X_TRACE=abc', '--meta-persistent', 'x-tenant=t1', '--meta-backward', '-d', '{"name":"g"}']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Backward metainfo:\n  SEEN_RPC_PERSIST_X_TENANT: t1\n  SEEN_RPC_TRANSIT_X_TRACE: abc\n');
  });

  it('a --meta without = is a usage error', async () => {
    const r = await runCli(['call', servers.items, 'Meta', '--idl', ITEMS_PROTO, '--meta', 'novalue', '-d', '{}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--meta "novalue": write it as key=value');
  });
});

describe.concurrent('the other tools\' spellings', () => {
  it('grpcurl: -plaintext -proto -import-path -rpc-header -max-time -v, requests from stdin with -d @', async () => {
    const r = await runCli(
      ['call', '-plaintext', '-proto', 'cli_test.proto', '-import-path', FIXTURES, '-rpc-header', 'x-echo: hi', '-max-time', '5', '-v', '-d', '@', servers.items, 'clitest.ItemService/Echo'],
      { input: '{"name":"from stdin"}' },
    );
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ name: 'from stdin' }]);
    expect(r.stderr).toContain('x-echo-header: hi');
  });

  it('kitexcall: -p -e -m -transport TTHeader -f FILE, and -type thrift', async () => {
    const file = join(tmp, 'req.json');
    writeFileSync(file, '{"name":"kc"}');
    const r = await runCli(['call', '-p', ITEMS_THRIFT, '-e', servers.thriftItems, '-m', 'ItemService/Echo', '-transport', 'TTHeader', '-f', file, '-type', 'thrift', '-biz-error', '-quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ name: 'kc', id: 0, scores: [] }]);
    for (const word of ['TTHeaderFramed', 'Framed', 'Buffered', 'GRPC']) {
      const t = await runCli(['call', servers.thriftItems, 'Echo', '--idl', ITEMS_THRIFT, '-transport', word, '-d', '{"name":"w"}']);
      expect({ word, code: t.code, out: jsonLines(t.stdout) }).toEqual({ word, code: 0, out: [{ name: 'w', id: 0, scores: [] }] });
    }
  });

  it('-t decides by its value: a transport, an IDL type, a timeout', async () => {
    const [transport, type, timeout] = await Promise.all([
      runCli(['call', servers.thriftItems, 'Echo', '--idl', ITEMS_THRIFT, '-t', 'framed', '-v', '-d', '{"name":"t"}']),
      runCli(['call', servers.thriftItems, 'Echo', '--idl', ITEMS_THRIFT, '-t', 'protobuf', '-d', '{}']),
      runCli(['call', servers.items, 'Slow', '--idl', ITEMS_PROTO, '-t', '200ms', '-d', '{}']),
    ]);
    expect(transport.code).toBe(0);
    expect(transport.stderr).toContain(', framed\n');
    expect(type.code).toBe(1);
    expect(type.stderr).toContain('--type protobuf does not match');
    expect(timeout.code).toBe(68);
  });

  it('a misspelt flag, transport, command and symbol get a "did you mean"', async () => {
    const [flag, transport, command, symbol] = await Promise.all([
      runCli(['call', servers.items, 'Echo', '--idl', ITEMS_PROTO, '--timout', '1s']),
      runCli(['call', servers.thriftItems, 'Echo', '--idl', ITEMS_THRIFT, '--transport', 'framd']),
      runCli(['cal', servers.items, 'Echo']),
      runCli(['describe', '--idl', ITEMS_PROTO, 'clitest.Itme']),
    ]);
    expect(flag.stderr).toContain('unknown flag --timout (did you mean --timeout?)');
    expect(transport.stderr).toContain('(did you mean framed?)');
    expect(command.stderr).toContain('unknown command "cal" (did you mean "call"?)');
    expect(symbol.stderr).toContain('did you mean "clitest.Item"?');
    expect([flag.code, transport.code, command.code, symbol.code]).toEqual([1, 1, 1, 1]);
  });

  it('-d @missing.json says the file is missing, in one line, without a raw ENOENT', async () => {
    const r = await runCli(['call', servers.items, 'CountStream', '--idl', ITEMS_PROTO, '-d', '@missing.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('idlcall call: -d @missing.json: no such file\n');
  });

  it('describe without a symbol describes every service; imports resolve from the current directory (as ghz adds it)', async () => {
    const all = await runCli(['describe', '--idl', SEED_PROTO]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^\/\/ pb\.StreamingService/);
    expect(all.stdout).toContain('rpc UnaryEcho (pb.Request) returns (pb.Response);');
    const cwd = await runCli(['list', '--idl', join(FIXTURES, 'uses_cwd.proto')]);
    expect(cwd.stderr).toBe('');
    expect(cwd.stdout).toContain('Wrap  unary');
  });
});

describe.concurrent('stream input: NDJSON, concatenated objects, a JSON array', () => {
  it.each([
    ['NDJSON', '{"message":"a"}\n{"message":"b"}\n{"message":"c"}\n'],
    ['concatenated objects (grpcurl)', '{"message":"a"}{"message":"b"} {"message":"c"}'],
    ['a JSON array (ghz)', '[{"message":"a"},\n {"message":"b"}, {"message":"c"}]'],
  ])('%s: three requests', async (_label, input) => {
    const r = await runCli(['call', servers.seedProto, 'StreamRequestEcho', '--idl', SEED_PROTO, '-d', '@-'], { input });
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ message: 'Received 3 messages: [a b c]' }]);
  });

  it('a unary method given two requests says it takes one', async () => {
    const r = await runCli(['call', servers.items, 'Echo', '--idl', ITEMS_PROTO, '-d', '{"name":"a"}{"name":"b"}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a unary method takes one request; got 2');
  });
});

describe.concurrent('serve --tls --cert --key, -v logs each call', () => {
  it('serves gRPC over TLS and logs peer, method, status and metadata', async () => {
    const server = startCli(['serve', '--idl', ITEMS_PROTO, '--echo', '--tls', '--cert', cert.certPath, '--key', cert.keyPath, '-v']);
    live.push(server);
    const addr = (await server.waitForStdout((t) => t.includes('\n'))).trim();
    const r = await runCli(['call', addr, 'Echo', '--idl', ITEMS_PROTO, '--cacert', cert.certPath, '--servername', 'localhost', '-H', 'x-who: tester', '-d', '{"name":"tls"}']);
    expect(r.stderr).toBe('');
    expect(jsonLines(r.stdout)).toEqual([{ name: 'tls' }]);
    const find = await runCli(['call', addr, 'Find', '--idl', ITEMS_PROTO, '--insecure', '-d', '{"name":"n"}']);
    expect(find.code).toBe(0);
    for (let i = 0; i < 100 && !server.stderr().includes('Find'); i++) await new Promise((res) => setTimeout(res, 20));
    expect(server.stderr()).toMatch(/Z 127\.0\.0\.1:\d+ ItemService\/Echo unary over grpc: OK\n(?: {2}.*\n)* {2}x-who: tester\n/);
    expect(server.stderr()).toMatch(/ItemService\/Find unary over grpc: OK\n/);
    await server.stop();
  });

  it('--tls without a certificate is a usage error', async () => {
    const r = await runCli(['serve', '--idl', ITEMS_PROTO, '--echo', '--tls']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TLS needs --cert FILE and --key FILE');
  });
});
