/**
 * The client side of gRPC server reflection: asks `grpc.reflection.v1.ServerReflection`
 * (falling back to `v1alpha` when v1 answers UNIMPLEMENTED, as grpcurl does) for the
 * services a server lists and the files that declare them, then for any dependency not
 * received yet, until every file is at hand. Requests of a round are pipelined on one
 * stream. Bounded: a deadline for the whole exchange and a cap on the descriptor bytes
 * accepted, so a server that answers garbage or too much fails the fetch, never hangs it.
 */
import { GrpcChannel, type ClientCall, type RequestMetadata, type TlsOptions } from '../http2/index.js';
import { Code } from '../errors/status-code.js';
import { RpcError } from '../errors/rpc-error.js';
import { UsageError } from '../errors/usage-error.js';
import {
  decodeReflectionResponse,
  encodeReflectionRequest,
  type ReflectionRequest,
  type ReflectionResponse,
} from './reflection-messages.js';
import { REFLECTION_METHOD, REFLECTION_SERVICES } from './service-names.js';
import { WireReader } from './wire.js';

/** Options of {@link fetchReflection}. */
export interface ReflectionFetchOptions {
  /** TLS for the connection (`true`: the system's CAs). */
  tls?: TlsOptions | boolean;
  /** Metadata sent with the reflection stream (e.g. an authorization token). */
  metadata?: RequestMetadata;
  /** `:authority` (default host:port). */
  authority?: string;
  /** Only the files declaring this service (or any symbol, by full name): no listing, one round trip fewer. */
  service?: string;
  /** Time allowed for the whole exchange, connecting included; default 20 s. */
  timeoutMs?: number;
  /** Cap on the descriptor bytes accepted in all (one message included); default 16 MiB. */
  maxDescriptorBytes?: number;
}

/** What a server's reflection gave. */
export interface ReflectionResult {
  /** The services the server listed; undefined when only `service` was asked for. */
  readonly services: readonly string[] | undefined;
  /** `FileDescriptorProto` bytes, each file once, in the order received. */
  readonly files: readonly Uint8Array[];
  /** The reflection version that answered. */
  readonly version: 'v1' | 'v1alpha';
}

/** The server offers no reflection (both versions UNIMPLEMENTED): a `UsageError`, told apart by callers that can offer another way. */
export class ReflectionUnavailableError extends UsageError {}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

function protocolError(hostPort: string, what: string): RpcError {
  return new RpcError(Code.INTERNAL, `server reflection at ${hostPort}: ${what}`);
}

/** The name and imports of a `FileDescriptorProto`, read without decoding the rest. */
function nameAndDependencies(bytes: Uint8Array): { name: string; dependencies: string[] } {
  const r = new WireReader(bytes);
  let name = '';
  const dependencies: string[] = [];
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 0x0a) name = r.string();
    else if (tag === 0x1a) dependencies.push(r.string());
    else r.skip(tag, 0);
  }
  return { name, dependencies };
}

/** One `ServerReflectionInfo` stream: requests out, one response per request back, in order. */
class ReflectionStream {
  private readonly call: ClientCall;

  constructor(
    channel: GrpcChannel,
    readonly version: 'v1' | 'v1alpha',
    opts: ReflectionFetchOptions,
    signal: AbortSignal,
    private readonly hostPort: string,
  ) {
    const service = REFLECTION_SERVICES[version === 'v1' ? 0 : 1];
    this.call = channel.call({
      path: `/${service}/${REFLECTION_METHOD}`,
      signal,
      ...(opts.metadata ? { metadata: opts.metadata } : {}),
    });
  }

  /** Sends every request, then reads as many responses. */
  async ask(requests: readonly ReflectionRequest[]): Promise<ReflectionResponse[]> {
    for (const req of requests) this.call.send(encodeReflectionRequest(req)).catch(() => undefined);
    const out: ReflectionResponse[] = [];
    for (let i = 0; i < requests.length; i++) {
      const bytes = await this.call.recv();
      if (bytes === undefined) throw protocolError(this.hostPort, `the stream ended after ${i} of ${requests.length} answers`);
      let res: ReflectionResponse | undefined;
      try {
        res = decodeReflectionResponse(bytes);
      } catch (err) {
        throw protocolError(this.hostPort, `an answer could not be decoded: ${(err as Error).message}`);
      }
      if (!res) throw protocolError(this.hostPort, 'an answer carries no message_response');
      out.push(res);
    }
    return out;
  }

  close(): void {
    this.call.closeSend();
    this.call.cancel('reflection done');
  }
}

/** Collects files, each once, within the byte cap. */
class FileCollector {
  readonly files = new Map<string, Uint8Array>();
  readonly requested = new Set<string>();
  private bytes = 0;

  constructor(
    private readonly max: number,
    private readonly hostPort: string,
  ) {}

  add(res: ReflectionResponse): void {
    if (res.kind !== 'files') return;
    for (const f of res.files) {
      let name: string;
      try {
        name = nameAndDependencies(f).name;
      } catch (err) {
        throw protocolError(this.hostPort, `a file descriptor could not be read: ${(err as Error).message}`);
      }
      if (!name) throw protocolError(this.hostPort, 'a file descriptor has no name');
      if (this.files.has(name)) continue;
      this.bytes += f.length;
      if (this.bytes > this.max) {
        throw new RpcError(Code.RESOURCE_EXHAUSTED, `server reflection at ${this.hostPort}: the descriptors exceed ${this.max} bytes`);
      }
      this.files.set(name, f);
    }
  }

  /** Imports of the files at hand that were neither received nor asked for. */
  missing(): string[] {
    const out = new Set<string>();
    for (const f of this.files.values()) {
      for (const d of nameAndDependencies(f).dependencies) if (!this.files.has(d) && !this.requested.has(d)) out.add(d);
    }
    return [...out];
  }
}

/** Runs the exchange over one stream of the given version. */
async function exchange(stream: ReflectionStream, opts: ReflectionFetchOptions, hostPort: string, max: number): Promise<ReflectionResult> {
  const collector = new FileCollector(max, hostPort);
  let services: string[] | undefined;
  let wanted: string[];
  if (opts.service !== undefined) {
    wanted = [opts.service];
  } else {
    const [res] = await stream.ask([{ kind: 'listServices', pattern: '*' }]);
    if (res!.kind !== 'services') throw protocolError(hostPort, `list_services was answered with ${res!.kind}`);
    services = [...res!.names];
    wanted = services;
  }
  const answers = await stream.ask(wanted.map((symbol) => ({ kind: 'fileContainingSymbol', symbol })));
  answers.forEach((res, i) => {
    if (res.kind === 'error' && opts.service !== undefined) {
      throw new UsageError(`the server at ${hostPort} does not know "${wanted[i]}" (reflection answered: ${res.message || `code ${res.code}`})`);
    }
    collector.add(res);
  });
  for (let missing = collector.missing(); missing.length; missing = collector.missing()) {
    for (const m of missing) collector.requested.add(m);
    for (const res of await stream.ask(missing.map((name) => ({ kind: 'fileByFilename', name })))) collector.add(res);
  }
  return { services, files: [...collector.files.values()], version: stream.version };
}

/**
 * Fetches a server's descriptors by reflection. Throws `UsageError` when the server offers
 * no reflection (both versions UNIMPLEMENTED) or does not know `opts.service`; `RpcError`
 * when the call fails, the server answers garbage (INTERNAL) or too much (RESOURCE_EXHAUSTED).
 */
export async function fetchReflection(hostPort: string, opts: ReflectionFetchOptions = {}): Promise<ReflectionResult> {
  const max = opts.maxDescriptorBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const channel = new GrpcChannel({
    hostPorts: [hostPort],
    maxReceiveMessageBytes: max,
    connectTimeoutMs: timeoutMs,
    ...(opts.tls ? { tls: opts.tls } : {}),
    ...(opts.authority ? { authority: opts.authority } : {}),
  });
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    for (const version of ['v1', 'v1alpha'] as const) {
      const stream = new ReflectionStream(channel, version, opts, deadline, hostPort);
      try {
        return await exchange(stream, opts, hostPort, max);
      } catch (err) {
        if (deadline.aborted) throw new RpcError(Code.DEADLINE_EXCEEDED, `server reflection at ${hostPort} took longer than ${timeoutMs} ms`);
        if (!(err instanceof RpcError) || err.code !== Code.UNIMPLEMENTED) throw err;
      } finally {
        stream.close();
      }
    }
    throw new ReflectionUnavailableError(
      `the server at ${hostPort} does not offer gRPC server reflection (grpc.reflection.v1 and v1alpha are both UNIMPLEMENTED); load the schema from its .proto file or a descriptor set instead`,
    );
  } finally {
    void channel.close();
  }
}
