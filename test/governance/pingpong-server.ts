/**
 * An idlcall generic server for examples/idl/streaming.thrift whose EchoPingPong (ping-pong)
 * and EchoUnary (gRPC) calls misbehave on purpose. The request's message is a JSON text:
 * `{key, failFirst?, failAt?, slowFirst?, slowAt?, delayMs?, text?}` — the first `failFirst` calls of the
 * key (at the server named `failAt`, when given) throw (UNAVAILABLE over gRPC, an application exception — INTERNAL — over ping-pong); the first
 * `slowFirst` ones, or every one at the server named `slowAt`, or else every one when `delayMs`
 * alone is given, answer only after `delayMs`, noting when the client went away meanwhile.
 */
import { afterAll, beforeAll } from 'vitest';
import { Code, RpcError, jsonThriftGeneric, newGenericServer, thriftFileProvider, type Generic, type GenericServer, type ServerContext } from '../../src/index.js';

export const STREAMING_THRIFT = 'examples/idl/streaming.thrift';

interface Order {
  key: string;
  failFirst?: number;
  failAt?: string;
  slowFirst?: number;
  slowAt?: string;
  delayMs?: number;
  text?: string;
}

export interface EchoLog {
  calls: number;
  cancelled: number;
}

export interface MisbehavingServer {
  name: string;
  hostPort: string;
  logs: Map<string, EchoLog>;
  close(): Promise<void>;
}

/** The request JSON of EchoPingPong/EchoUnary carrying `order`. */
export function echoRequest(order: Order): string {
  return JSON.stringify({ message: JSON.stringify(order) });
}

export async function startMisbehavingServer(name: string): Promise<MisbehavingServer> {
  const generic = jsonThriftGeneric(await thriftFileProvider(STREAMING_THRIFT));
  const logs = new Map<string, EchoLog>();
  const handle = async (json: string, ctx: ServerContext): Promise<string> => {
    const order = JSON.parse((JSON.parse(json) as { message: string }).message) as Order;
    let log = logs.get(order.key);
    if (log === undefined) logs.set(order.key, (log = { calls: 0, cancelled: 0 }));
    const n = ++log.calls;
    if (n <= (order.failFirst ?? 0) && (order.failAt === undefined || order.failAt === name)) throw new RpcError(Code.UNAVAILABLE, `failure #${n} at ${name}`);
    const slow =
      order.slowAt !== undefined ? order.slowAt === name : order.slowFirst !== undefined ? n <= order.slowFirst : order.delayMs !== undefined;
    if (slow) {
      const cancelled = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), order.delayMs ?? 0);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      if (cancelled) {
        log.cancelled++;
        throw new RpcError(Code.CANCELLED, 'the client went away');
      }
    }
    return JSON.stringify({ message: `${name}:${order.text ?? ''}:${n}` });
  };
  const server: GenericServer<string, string> = newGenericServer(generic, { EchoPingPong: handle, EchoUnary: handle });
  await server.start();
  return { name, hostPort: server.hostPort, logs, close: () => server.close() };
}

/** Servers for one suite: started before its tests, closed after; a fresh request key per call. */
export interface ServerFixture {
  generic: Generic<string, string>;
  servers: MisbehavingServer[];
  key(): string;
}

/** Registers the suite's servers, one per name (call at module level). */
export function useServers(...names: string[]): ServerFixture {
  let seq = 0;
  const f: ServerFixture = { generic: undefined as unknown as Generic<string, string>, servers: [], key: () => `${names.join('-')}:${++seq}` };
  beforeAll(async () => {
    f.generic = jsonThriftGeneric(await thriftFileProvider(STREAMING_THRIFT));
    f.servers = await Promise.all(names.map((n) => startMisbehavingServer(n)));
  });
  afterAll(async () => {
    await Promise.all(f.servers.map((s) => s.close()));
  });
  return f;
}
