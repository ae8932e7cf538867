/**
 * `npm run demo`: starts an embedded generic server for the seed IDLs
 * (examples/idl/streaming.proto and streaming.thrift) with the replies the
 * Kitex examples give, then runs every call shape of the seed's client
 * examples against it and prints each request and reply. Exits 0 when every
 * call got the reply it should.
 */
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  jsonPbGeneric,
  jsonThriftGeneric,
  newClient,
  newGenericServer,
  newStreamingClient,
  protoFileProvider,
  thriftFileProvider,
  type GenericClient,
} from '../index.js';
import { seedProtoHandlers, seedThriftHandlers } from './seed-handlers.js';

const idlDir = fileURLToPath(new URL('../../examples/idl/', import.meta.url));

const messageOf = (json: string): string => (JSON.parse(json) as { message: string }).message;
const reply = (message: string): string => JSON.stringify({ message });

let failures = 0;

function show(label: string, sent: string[], received: string[], expected: string[]): void {
  const ok = isDeepStrictEqual(received.map((r) => JSON.parse(r)), expected.map((r) => JSON.parse(r)));
  if (!ok) failures++;
  console.log(`\n${ok ? '✔' : '✘'} ${label}`);
  for (const s of sent) console.log(`   → ${s}`);
  for (const r of received) console.log(`   ← ${r}`);
  if (!ok) console.log(`   expected: ${expected.join(' ')}`);
}

async function protobufExamples(): Promise<void> {
  const provider = await protoFileProvider(`${idlDir}streaming.proto`);
  const generic = jsonPbGeneric(provider);
  const server = newGenericServer(generic, seedProtoHandlers);
  const { port } = await server.start();
  console.log(`\n== protobuf: pb.StreamingService on 127.0.0.1:${port} (gRPC and Kitex protobuf over TTHeader)`);
  const cli = newStreamingClient('streaming', generic, { hostPorts: [`127.0.0.1:${port}`] });
  try {
    await clientStreaming(cli, 'StreamRequestEcho', 'grpc client streaming generic', reply('Received 3 messages: [grpc client streaming generic 0th request grpc client streaming generic 1th request grpc client streaming generic 2th request]'));
    const req = reply('grpc server streaming generic request');
    await serverStreaming(cli, 'StreamResponseEcho', req, [0, 1, 2].map((i) => reply(`stream response ${i}: ${messageOf(req)}`)));
    await bidiStreaming(cli, 'BidirectionalEcho', 'grpc bidirectional streaming generic', (m) => reply(`Echo: ${m}`));
    const unary = reply('unary request');
    show('protobuf unary over gRPC: genericCall("UnaryEcho")', [unary], [await cli.genericCall('UnaryEcho', unary)], [reply('Echo: unary request')]);

    const pingPong = newClient('streaming', generic, { hostPorts: [`127.0.0.1:${port}`], transport: 'ttheader' });
    const res = await pingPong.genericCall('UnaryEcho', unary);
    show('protobuf ping-pong over TTHeader (Kitex protobuf): genericCall("UnaryEcho")', [unary], [res], [reply('Echo: unary request')]);
    await pingPong.close();
  } finally {
    await cli.close();
    await server.close();
  }
}

async function thriftExamples(): Promise<void> {
  const provider = await thriftFileProvider(`${idlDir}streaming.thrift`);
  const generic = jsonThriftGeneric(provider);
  const server = newGenericServer(generic, seedThriftHandlers);
  const { port } = await server.start();
  console.log(`\n== thrift: TestService on 127.0.0.1:${port} (gRPC, TTHeader Streaming, TTHeader, Framed and Buffered on one port)`);
  const cli = newStreamingClient('streaming_service', generic, { hostPorts: [`127.0.0.1:${port}`] });
  try {
    await clientStreaming(cli, 'EchoClient', 'grpc client streaming generic', reply('server received 3 messages'));
    const req = reply('grpc server streaming generic request');
    await serverStreaming(cli, 'EchoServer', req, [0, 1, 2].map((i) => reply(`server streaming response ${i} for request: ${messageOf(req)}`)));
    await bidiStreaming(cli, 'Echo', 'grpc bidirectional streaming generic', (m) => reply(`server echo: ${m}`));
    const unary = reply('unary request');
    show('thrift unary over gRPC: genericCall("EchoUnary")', [unary], [await cli.genericCall('EchoUnary', unary)], [reply('server unary: unary request')]);
    show('thrift ping-pong over gRPC: genericCall("EchoPingPong")', [unary], [await cli.genericCall('EchoPingPong', unary)], [reply('server pong: unary request')]);
    // Kitex's TTHeader Streaming: the same streams over TTHeader frames on plain TCP
    const tt = newStreamingClient('streaming_service', generic, { hostPorts: [`127.0.0.1:${port}`], transport: 'ttstream' });
    try {
      await clientStreaming(tt, 'EchoClient', 'ttstream client streaming generic', reply('server received 3 messages'), 'ttstream');
      const ttReq = reply('ttstream server streaming generic request');
      await serverStreaming(tt, 'EchoServer', ttReq, [0, 1, 2].map((i) => reply(`server streaming response ${i} for request: ${messageOf(ttReq)}`)), 'ttstream');
      await bidiStreaming(tt, 'Echo', 'ttstream bidirectional streaming generic', (m) => reply(`server echo: ${m}`), 'ttstream');
    } finally {
      await tt.close();
    }
    for (const transport of ['ttheader', 'framed', 'buffered'] as const) {
      const pingPong = newClient('streaming_service', generic, { hostPorts: [`127.0.0.1:${port}`], transport });
      const res = await pingPong.genericCall('EchoPingPong', unary);
      show(`thrift ping-pong over ${transport === 'ttheader' ? 'TTHeader' : transport}: genericCall("EchoPingPong")`, [unary], [res], [reply('server pong: unary request')]);
      await pingPong.close();
    }
  } finally {
    await cli.close();
    await server.close();
  }
}

async function clientStreaming(cli: GenericClient<string, string>, method: string, text: string, expected: string, over = 'gRPC'): Promise<void> {
  const stream = await cli.clientStreaming(method);
  const sent: string[] = [];
  for (let i = 0; i < 3; i++) {
    const req = reply(`${text} ${i}th request`);
    await stream.send(req);
    sent.push(req);
  }
  show(`client streaming over ${over}: ${method}, 3 × send then closeAndRecv`, sent, [await stream.closeAndRecv()], [expected]);
}

async function serverStreaming(cli: GenericClient<string, string>, method: string, req: string, expected: string[], over = 'gRPC'): Promise<void> {
  const stream = await cli.serverStreaming(method, req);
  const received: string[] = [];
  for await (const res of stream) received.push(res); // ends at the clean end of stream (Kitex's io.EOF)
  show(`server streaming over ${over}: ${method}, recv until the end of stream`, [req], received, expected);
}

async function bidiStreaming(cli: GenericClient<string, string>, method: string, text: string, answer: (m: string) => string, over = 'gRPC'): Promise<void> {
  const stream = await cli.bidiStreaming(method);
  const sent: string[] = [];
  const received: string[] = [];
  // Two independent loops, like the two goroutines of the Kitex example.
  await Promise.all([
    (async () => {
      for (let i = 0; i < 3; i++) {
        const req = reply(`${text} ${i}th request`);
        await stream.send(req);
        sent.push(req);
      }
      stream.close();
    })(),
    (async () => {
      for (let res = await stream.recv(); res !== undefined; res = await stream.recv()) received.push(res);
    })(),
  ]);
  show(`bidirectional streaming over ${over}: ${method}, concurrent send and recv loops`, sent, received, sent.map((s) => answer(messageOf(s))));
}

console.log('idlcall demo: every call shape of the Kitex streaming generic-call guide, against an embedded generic server');
await protobufExamples();
await thriftExamples();
console.log(failures ? `\n${failures} call(s) did not get the expected reply` : '\nall calls answered as expected');
process.exit(failures ? 1 : 0);
