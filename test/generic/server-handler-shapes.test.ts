import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { jsonPbGeneric, newGenericServer, protoFileProvider, type GenericServer } from '../../src/index.js';
import { closeAll, connectRaw, eventually, replies, requestFrame, serve, thriftGeneric } from '../faults/helpers.js';
import { STREAMING_IDL, streamingClient, type StreamingClient } from '../support/grpcjs-streaming-client.js';
import { messageOf, reply } from '../support/messages.js';

// The ways a handler may hand over its results (values or promises, sync or async
// generators) and pull its requests (one at a time, several at once, stopping early),
// each answered to a @grpc/grpc-js client; and ping-pong replies in request order when
// handlers that answer at once and handlers that answer later are pipelined together.
type Msg = { message: string };

let server: GenericServer<string, string>;
let client: StreamingClient;

beforeAll(async () => {
  server = newGenericServer(jsonPbGeneric(await protoFileProvider(STREAMING_IDL)), {
    // A plain generator, one of whose responses is a promise.
    *StreamResponseEcho(req) {
      const m = messageOf(req);
      yield reply(`first ${m}`);
      yield Promise.resolve(reply(`second ${m}`)) as unknown as string;
      yield reply(`third ${m}`);
    },
    // Pulls two requests at once, then stops pulling after the third.
    async *BidirectionalEcho(requests) {
      const it = requests[Symbol.asyncIterator]();
      const [a, b] = await Promise.all([it.next(), it.next()]);
      yield reply(`pair ${messageOf(a.value as string)} ${messageOf(b.value as string)}`);
      for await (const r of { [Symbol.asyncIterator]: () => it }) {
        yield reply(`then ${messageOf(r)}`);
        break;
      }
      const after = await it.next();
      yield reply(`after break: done=${String(after.done)}`);
    },
    // Answers with a promise.
    StreamRequestEcho: async (requests) => {
      const got: string[] = [];
      for await (const r of requests) got.push(messageOf(r));
      return reply(got.join(','));
    },
  });
  const { port } = await server.start();
  client = streamingClient(port);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await closeAll();
});

describe('generic server: handler shapes, against @grpc/grpc-js', () => {
  it('a plain generator streams its responses, a yielded promise as its value', async () => {
    const call = client['StreamResponseEcho']!({ message: 'g' }) as grpc.ClientReadableStream<Msg>;
    const got: Msg[] = [];
    for await (const m of call) got.push(m as Msg);
    expect(got).toEqual([{ message: 'first g' }, { message: 'second g' }, { message: 'third g' }]);
  });

  it('requests pulled two at once arrive in order; after the handler stops pulling there are none', async () => {
    const call = client['BidirectionalEcho']!() as grpc.ClientDuplexStream<Msg, Msg>;
    const got: Msg[] = [];
    const done = (async () => {
      for await (const m of call) got.push(m as Msg);
    })();
    for (const m of ['a', 'b', 'c', 'd']) call.write({ message: m });
    call.end();
    await done;
    expect(got).toEqual([{ message: 'pair a b' }, { message: 'then c' }, { message: 'after break: done=true' }]);
  });

  it('client streaming answered by a promise', async () => {
    const res = await new Promise<Msg>((resolve, reject) => {
      const call = client['StreamRequestEcho']!((err: grpc.ServiceError | null, r: Msg) => (err ? reject(err) : resolve(r))) as grpc.ClientWritableStream<Msg>;
      for (const m of ['x', 'y', 'z']) call.write({ message: m });
      call.end();
    });
    expect(res).toEqual({ message: 'x,y,z' });
  });
});

describe('generic server: pipelined ping-pong requests', () => {
  it('are answered in order whether their handler answers at once or later', async () => {
    const s = await serve(await thriftGeneric(), {
      Echo: (req) => {
        const m = messageOf(req);
        const res = reply(`echo ${m}`);
        return m.startsWith('later') ? new Promise<string>((r) => setTimeout(() => r(res), 20)) : res;
      },
    });
    const sock = await connectRaw(s.address.port);
    const got = replies(sock);
    const messages = ['now1', 'now2', 'later1', 'now3', 'later2', 'now4', 'now5'];
    const frames = await Promise.all(messages.map((m, i) => requestFrame('framed', reply(m), i + 1)));
    sock.write(Buffer.concat(frames)); // one chunk: the server sees them all at once
    expect(await eventually(() => got.length === messages.length, 5000)).toBe(true);
    expect(got.map((r) => r.seqId)).toEqual(messages.map((_, i) => i + 1));
    const g = await thriftGeneric();
    expect(got.map((r) => messageOf(g.method('Echo').decodeResponse(r.body)))).toEqual(messages.map((m) => `echo ${m}`));
  });
});
