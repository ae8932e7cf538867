/**
 * The Flaky service of test/fixtures/governance/flaky.proto served by idlcall's own generic
 * server, with the behaviour of test/peers/grpc_flaky_server.py (except pushback: a handler may
 * not send `grpc-` trailers). `logs` is what the server saw per key.
 */
import { Code, RpcError, jsonPbGeneric, newGenericServer, protoFileProvider, type GenericServer, type ServerContext } from '../../src/index.js';

export const FLAKY_PROTO = 'test/fixtures/governance/flaky.proto';

interface Req {
  key: string;
  failFirst?: number;
  code?: number;
  delayMs?: number;
  text?: string;
}

/** What the server saw of one key. */
export interface KeyLog {
  calls: number;
  previous: string[];
  cancelled: number;
}

export interface FlakyServer {
  server: GenericServer<string, string>;
  hostPort: string;
  logs: Map<string, KeyLog>;
  close(): Promise<void>;
}

export async function startFlakyServer(): Promise<FlakyServer> {
  const generic = jsonPbGeneric(await protoFileProvider(FLAKY_PROTO));
  const logs = new Map<string, KeyLog>();
  const note = (key: string, ctx: ServerContext): number => {
    let log = logs.get(key);
    if (log === undefined) logs.set(key, (log = { calls: 0, previous: [], cancelled: 0 }));
    log.calls++;
    const p = ctx.metadata['grpc-previous-rpc-attempts'];
    log.previous.push(typeof p === 'string' ? p : '');
    return log.calls;
  };
  const fail = (req: Req, n: number): never => {
    throw new RpcError(req.code ?? Code.UNAVAILABLE, `failure #${n}`);
  };
  const server = newGenericServer(generic, {
    Unary: async (json: string, ctx) => {
      const req = JSON.parse(json) as Req;
      const n = note(req.key, ctx);
      if (n <= (req.failFirst ?? 0)) fail(req, n);
      if (req.delayMs) {
        const cancelled = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), req.delayMs);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(t);
            resolve(true);
          });
        });
        if (cancelled) {
          logs.get(req.key)!.cancelled++;
          throw new RpcError(Code.CANCELLED, 'cancelled');
        }
      }
      return JSON.stringify({ text: req.text ?? '', call: n });
    },
    Stream: async function* (json: string, ctx) {
      const req = JSON.parse(json) as Req;
      const n = note(req.key, ctx);
      yield JSON.stringify({ text: req.text ?? '', call: n });
      if (n <= (req.failFirst ?? 0)) fail(req, n);
    },
    Collect: async (reqs: AsyncIterable<string>, ctx) => {
      const texts: string[] = [];
      let first: Req | undefined;
      for await (const json of reqs) {
        const r = JSON.parse(json) as Req;
        first ??= r;
        texts.push(r.text ?? '');
      }
      const n = note(first!.key, ctx);
      if (n <= (first!.failFirst ?? 0)) fail(first!, n);
      return JSON.stringify({ text: texts.join(','), call: n });
    },
    Calls: (json: string) => {
      const { key } = JSON.parse(json) as Req;
      return JSON.stringify(logs.get(key) ?? { calls: 0, previous: [], cancelled: 0 });
    },
  });
  await server.start();
  return { server, hostPort: server.hostPort, logs, close: () => server.close() };
}
