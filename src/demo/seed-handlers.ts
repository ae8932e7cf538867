/**
 * The seed services' handlers, with the replies the Kitex example servers
 * give (as captured in shared/wire): the demo serves them, and tests use them
 * as the reference server for the seed IDLs.
 */
import type { Handlers } from '../index.js';

const messageOf = (json: string): string => (JSON.parse(json) as { message: string }).message;
const reply = (message: string): string => JSON.stringify({ message });

/** `pb.StreamingService` (examples/idl/streaming.proto). */
export const seedProtoHandlers: Handlers<string, string> = {
  UnaryEcho: (req) => reply(`Echo: ${messageOf(req)}`),
  async StreamRequestEcho(requests) {
    const got: string[] = [];
    for await (const r of requests) got.push(messageOf(r));
    return reply(`Received ${got.length} messages: [${got.join(' ')}]`);
  },
  async *StreamResponseEcho(req) {
    for (let i = 0; i < 3; i++) yield reply(`stream response ${i}: ${messageOf(req)}`);
  },
  async *BidirectionalEcho(requests) {
    for await (const r of requests) yield reply(`Echo: ${messageOf(r)}`);
  },
};

/** `TestService` (examples/idl/streaming.thrift). */
export const seedThriftHandlers: Handlers<string, string> = {
  async *Echo(requests) {
    for await (const r of requests) yield reply(`server echo: ${messageOf(r)}`);
  },
  async EchoClient(requests) {
    let n = 0;
    for await (const _ of requests) n++;
    return reply(`server received ${n} messages`);
  },
  async *EchoServer(req) {
    for (let i = 0; i < 3; i++) yield reply(`server streaming response ${i} for request: ${messageOf(req)}`);
  },
  EchoUnary: (req) => reply(`server unary: ${messageOf(req)}`),
  EchoPingPong: (req) => reply(`server pong: ${messageOf(req)}`),
};
