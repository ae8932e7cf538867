/**
 * Generic-server handlers that behave like the Kitex v0.14.1 test servers the
 * ttstream captures were recorded against (kitexpeersx, see
 * test/fixtures/wire/README.md): the same replies, and the same reactions to
 * the request texts the captures send (`error:`, `bizerror:`, `exception:`,
 * `sleep:`, `header:`), with received `x-` metainfo echoed in the stream
 * header and trailer. The error texts are the ones the Go handlers produced
 * (formatted by Go); how they travel is our server's doing.
 */
import { RpcError, type Handlers, type ServerContext } from '../../src/index.js';
import { seedThriftHandlers } from '../../src/demo/seed-handlers.js';

const messageOf = (json: string): string => (JSON.parse(json) as { message: string }).message;
const reply = (message: string): string => JSON.stringify({ message });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The captured server slept `sleep:<ms>`; replays need not wait that long. */
const SLEEP_SCALE = 20;

/** Received metainfo whose key starts with `x-`, back as header and trailer (prefix stripped, as Kitex's metainfo does). */
function echoMetainfo(ctx: ServerContext): void {
  for (const [k, v] of Object.entries(ctx.metadata)) {
    const m = /^RPC_(?:TRANSIT|PERSIST)_(x-.*)$/.exec(k);
    if (m && typeof v === 'string') {
      ctx.setHeader(m[1]!, v);
      ctx.setTrailer(m[1]!, v);
    }
  }
}

/** One Echo request: its reply, or the error the captured handler returned for it. */
async function echoOne(text: string, ctx: ServerContext): Promise<string> {
  const [verb, ...rest] = text.split(':');
  switch (verb) {
    case 'error':
      throw new Error(rest.join(':'));
    case 'bizerror':
      throw new RpcError(Number(rest[0]), rest.slice(1).join(':'));
    case 'exception':
      throw new Error(`KitchenError({Code:7 Message:${rest.join(':')}})`);
    case 'sleep':
      await sleep(Number(rest[0]) / SLEEP_SCALE);
      break;
    case 'header':
      ctx.setHeader('x-sent-header', rest.join(':'));
      break;
  }
  return reply(`server echo: ${text}`);
}

/** TestService (examples/idl/streaming.thrift) as kitexpeersx served it. */
export const testServiceHandlers: Handlers<string, string> = {
  ...seedThriftHandlers,
  async *Echo(requests, ctx) {
    echoMetainfo(ctx);
    for await (const r of requests) yield await echoOne(messageOf(r), ctx);
  },
  async EchoClient(requests, ctx) {
    echoMetainfo(ctx);
    let n = 0;
    for await (const _ of requests) n++;
    return reply(`server received ${n} messages`);
  },
};

interface FanoutRequest {
  item: unknown;
  count: number;
  fail_after?: number;
}

/** KitchenService (test/fixtures/ttstream/kitchen_stream.thrift) as kitexpeersx served it. */
export const kitchenHandlers: Handlers<string, string> = {
  async *Fanout(req) {
    const r = JSON.parse(req) as FanoutRequest;
    const item = JSON.stringify(r.item);
    for (let i = 0; i < r.count; i++) {
      if (r.fail_after && i === r.fail_after) throw new Error(`rpc error: code = 13 desc = fanout failed after ${i}`);
      yield item;
    }
  },
  async *Chat(requests) {
    for await (const r of requests) yield r;
  },
};
