/**
 * In-process generic servers the CLI tests call: the seed IDLs with the demo's
 * replies, and test/fixtures/cli IDLs with methods for each exit code and
 * counters for bench totals.
 */
import { join } from 'node:path';
import {
  Code,
  DeclaredException,
  RpcError,
  jsonPbGeneric,
  jsonThriftGeneric,
  newGenericServer,
  protoFileProvider,
  thriftFileProvider,
  type GenericServer,
  type ServerContext,
} from '../../src/index.js';
import { seedProtoHandlers, seedThriftHandlers } from '../../src/demo/seed-handlers.js';
import { FIXTURES, ROOT } from './helpers.js';


/** Started servers and what they counted. */
export interface TestServers {
  seedProto: string;
  seedThrift: string;
  items: string;
  thriftItems: string;
  /** Calls counted by Count and CountStream; `names` keeps each Count request's name, `tags` its x-bench header. */
  counts: { count: number; streamMessages: number; thriftCount: number; names: string[]; tags: string[] };
  close(): Promise<void>;
}

/** Starts every test server on 127.0.0.1 with a free port. */
export async function startServers(): Promise<TestServers> {
  const servers: Array<GenericServer<string, string>> = [];
  const counts = { count: 0, streamMessages: 0, thriftCount: 0, names: [] as string[], tags: [] as string[] };
  const start = async (s: GenericServer<string, string>): Promise<string> => {
    servers.push(s);
    await s.start();
    return s.hostPort;
  };

  const seedProto = await start(
    newGenericServer(jsonPbGeneric(await protoFileProvider(join(ROOT, 'examples/idl/streaming.proto'))), seedProtoHandlers),
  );
  const seedThrift = await start(
    newGenericServer(jsonThriftGeneric(await thriftFileProvider(join(ROOT, 'examples/idl/streaming.thrift'))), seedThriftHandlers),
  );

  const items = await start(
    newGenericServer(jsonPbGeneric(await protoFileProvider(join(FIXTURES, 'cli_test.proto'))), {
      Echo: (req: string, ctx: ServerContext) => {
        const x = ctx.metadata['x-echo'];
        if (typeof x === 'string') {
          ctx.setHeader('x-echo-header', x);
          ctx.setTrailer('x-echo-trailer', x);
        }
        return req;
      },
      Find: (req: string) => {
        throw new RpcError(Code.NOT_FOUND, `no item ${(JSON.parse(req) as { name?: string }).name ?? ''}`);
      },
      Slow: (_req: string, ctx: ServerContext) =>
        new Promise<string>((resolve) => {
          const t = setTimeout(() => resolve('{}'), 5000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            resolve('{}');
          });
        }),
      Count: (req: string, ctx: ServerContext) => {
        counts.count++;
        counts.names.push((JSON.parse(req) as { name?: string }).name ?? '');
        const tag = ctx.metadata['x-bench'];
        if (typeof tag === 'string') counts.tags.push(tag);
        return req;
      },
      Fail: (req: string) => {
        const { id, name } = JSON.parse(req) as { id?: string; name?: string };
        if (id === undefined) return '{}'; // id 0 (absent in JSON): OK
        throw new RpcError(Number(id), name ?? 'failed on purpose');
      },
      Meta: (req: string, ctx: ServerContext) => {
        // gopkg's HTTP spelling of backward metainfo: what the client sent, under seen-<header>.
        for (const [k, v] of Object.entries(ctx.metadata)) {
          if (k.startsWith('rpc-')) ctx.setTrailer(`rpc-backward-seen-${k}`, String(v));
        }
        return req;
      },
      async *CountStream(requests: AsyncIterable<string>) {
        for await (const r of requests) {
          counts.streamMessages++;
          yield r;
        }
      },
    }),
  );

  const thriftItems = await start(
    newGenericServer(jsonThriftGeneric(await thriftFileProvider(join(FIXTURES, 'cli_test.thrift'))), {
      Get: (req: string) => {
        const { name } = JSON.parse(req) as { name: string };
        if (name === 'missing') throw new DeclaredException('NotFound', 'nf', 1, JSON.stringify({ what: name, code: 404 }));
        // The id as text: JSON.parse would round an i64 beyond 2^53.
        const id = /"id":(-?\d+)/.exec(req)?.[1] ?? '0';
        return `{"name":${JSON.stringify(`got ${name}`)},"id":${id}}`;
      },
      Echo: (req: string, ctx: ServerContext) => {
        // -H over TTHeader arrives as transient metainfo; over gRPC as a header.
        const x = ctx.metadata['RPC_TRANSIT_x-echo'] ?? ctx.metadata['x-echo'];
        if (typeof x === 'string') ctx.setHeader('x-echo-header', x);
        return req;
      },
      Count: (req: string) => {
        counts.thriftCount++;
        return req;
      },
      Meta: (req: string, ctx: ServerContext) => {
        // What a Kitex handler's metainfo.SendBackwardValue does: a string info entry of the reply.
        for (const [k, v] of Object.entries(ctx.metadata)) {
          if (k.startsWith('RPC_')) ctx.setHeader(`seen-${k}`, String(v));
        }
        return req;
      },
    }),
  );

  return {
    seedProto,
    seedThrift,
    items,
    thriftItems,
    counts,
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
