/**
 * An idlcall generic server for examples/idl/streaming.thrift whose EchoPingPong (ping-pong)
 * and EchoUnary (gRPC) calls misbehave on purpose. The request's message is a JSON text:
 * `{key, failFirst?, slowFirst?, delayMs?, text?}` — the first `failFirst` calls of the key throw
 * (an application exception, INTERNAL on the client), the first `slowFirst` ones (or all, with
 * `delayMs` alone) answer only after `delayMs`, noting when the client went away meanwhile.
 */
import { Code, RpcError, jsonThriftGeneric, newGenericServer, thriftFileProvider, type GenericServer, type ServerContext } from '../../src/index.js';

export const STREAMING_THRIFT = 'examples/idl/streaming.thrift';

interface Order {
  key: string;
  failFirst?: number;
  slowFirst?: number;
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
    if (n <= (order.failFirst ?? 0)) throw new RpcError(Code.UNAVAILABLE, `failure #${n} at ${name}`);
    const slow = order.slowFirst === undefined ? order.delayMs !== undefined : n <= order.slowFirst;
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
