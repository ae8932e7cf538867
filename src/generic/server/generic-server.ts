import net from 'node:net';
import os from 'node:os';
import type { Registry, RegistryInfo } from '../../discovery/index.js';
import type { GrpcServer, GrpcServerOptions } from '../../http2/server.js';
import type { ServerCall } from '../../http2/server-call.js';
import { detectProtocol } from '../../ttheader/server-framing.js';
import type { PingPongTransport } from '../../ttheader/envelope.js';
import { isTTStreamStart } from '../../ttstream/frame.js';
import type { ServerConnection as TTStreamConnection } from '../../ttstream/server.js';
import { ConnectionAdmission, ConnectionTimer, handOverTimer, resolveLimits, type ConnectionLimits } from '../../connection-policy/index.js';
import { UsageError } from '../../errors/usage-error.js';
import { HealthService, type ServingStatus } from '../../reflection/health-service.js';
import { HEALTH_SERVICE, REFLECTION_PATHS, REFLECTION_SERVICES } from '../../reflection/service-names.js';
import type { ReflectionService } from '../../reflection/reflection-service.js';
import type { Generic } from '../method-codec.js';
import { ProtoProvider } from '../proto-provider.js';
import { serveGrpcCall } from './grpc-dispatch.js';
import type { Handlers } from './handlers.js';
import type { PingPongConnection } from './pingpong-dispatch.js';
import { withMiddlewares } from './with-middlewares.js';
import { loadDiscovery, loadGrpcServer, loadPingPong, loadReflection, loadTTStream } from './lazy-features.js';
import type { Middleware } from '../../governance/middleware.js';

/** Transports a generic server can accept. */
export type ServerTransport = 'grpc' | 'ttstream' | PingPongTransport;

/** Options for {@link newGenericServer}. */
export interface GenericServerOptions {
  /** `host:port` to listen on (port 0 picks a free one); default `127.0.0.1:0`. */
  listen?: string;
  /**
   * Transports accepted on the port; default all. One port serves them
   * together: each connection is recognised from its first bytes (the HTTP/2
   * preface, TTHeader magic with the streaming flag for ttstream, TTHeader or
   * THeader magic, a Framed length, or a bare TMessage).
   */
  transports?: readonly ServerTransport[];
  /** TLS for gRPC (the port then serves gRPC over TLS only). */
  tls?: GrpcServerOptions['tls'];
  /**
   * Largest request accepted, on every transport: a gRPC message (also once
   * decompressed), a ttstream message, or a ping-pong frame (also a THeader
   * payload once inflated). Larger ones end the call (stream) with
   * RESOURCE_EXHAUSTED, or close the connection (ping-pong), before more than
   * the limit is held. Default 4 MiB.
   */
  maxReceiveMessageBytes?: number;
  /**
   * Answer gRPC server reflection (`grpc.reflection.v1` and `v1alpha`) with the served
   * `.proto` files, so grpcurl, Postman or `idlcall list` need no IDL at hand; default true.
   * A Thrift server describes only its health and reflection services.
   */
  reflection?: boolean;
  /**
   * Answer `grpc.health.v1.Health` (Check, Watch, List) for `""` and the served service
   * (its full name); default true. See {@link GenericServer.setServingStatus}.
   */
  health?: boolean;
  /**
   * A connection without a call in flight for this long is closed (gRPC: GOAWAY
   * first). Default 300000 (5 minutes); 0 keeps idle connections.
   */
  idleTimeoutMs?: number;
  /**
   * Time a new connection has to prove itself: its first whole ping-pong or
   * ttstream frame, or the HTTP/2 preface and SETTINGS (with TLS, the TLS
   * handshake too). Default 10000; 0 waits for ever.
   */
  handshakeTimeoutMs?: number;
  /**
   * Where to register once listening (deregistered on `close()`), so clients find the server:
   * `etcd://host:port[,host:port]` (Kitex's etcd registry layout, under a lease kept alive) or
   * a {@link Registry}.
   */
  registry?: string | Registry;
  /**
   * What is registered. Defaults: the IDL service name; the listening address, a wildcard host
   * (`0.0.0.0`, `::`) replaced by this machine's first non-loopback IPv4 as Kitex does; weight
   * 10; no tags.
   */
  registryInfo?: Partial<RegistryInfo>;
  /** Streams open at once on one connection: gRPC (SETTINGS_MAX_CONCURRENT_STREAMS) and ttstream; default 100. */
  maxConcurrentStreams?: number;
  /** Connections held at once, all transports together; more are closed as they arrive. Default unlimited. */
  maxConnections?: number;
  /**
   * Ping-pong requests read ahead per connection while one is served (they are
   * answered one at a time, in order); beyond it, or beyond 1 MiB of them, the
   * server stops reading the connection until it catches up. Default 64.
   */
  maxPipelinedRequests?: number;
  /**
   * Middlewares every call to a handler passes through, the first outermost (composed once,
   * here; a server without them serves its handlers directly). Health and reflection calls
   * do not pass through them.
   */
  middlewares?: readonly Middleware[];
}

/** What a server holds right now (for monitoring, and for tests that bound memory). */
export interface ServerDiagnostics {
  /** Open connections, all transports (what `maxConnections` counts). */
  connections: number;
  /** HTTP/2 sessions. */
  grpcSessions: number;
  /** Connections speaking a ping-pong transport. */
  pingPongConnections: number;
  /** Ping-pong requests read and waiting to be served. */
  pingPongQueuedRequests: number;
  /** Bytes held for ping-pong connections: read buffers and replies the kernel has not taken yet. */
  pingPongBufferedBytes: number;
  /** Connections speaking ttstream. */
  ttstreamConnections: number;
  /** Bytes held for ttstream connections: messages read and not yet taken by a handler, and partial frames. */
  ttstreamBufferedBytes: number;
}

/** The names the reflection services list and the served `.proto` files. */
interface ReflectionSetup {
  listed: readonly string[];
  registry: ProtoProvider['registry'] | undefined;
}

const ALL: readonly ServerTransport[] = ['grpc', 'ttstream', 'ttheader', 'ttheader-unframed', 'framed', 'buffered', 'theader'];
const HTTP2_PREFACE_START = [0x50, 0x52, 0x49, 0x20]; // "PRI "
const SNIFF_LIMIT = 4096;

/**
 * A server for any IDL with handlers in the generic's representation (JSON
 * strings for the JSON generics): Kitex's generic server, for mocks, tests and
 * the demo.
 */
export class GenericServer<Req, Res> {
  private readonly grpcOptions: GrpcServerOptions;
  /** The gRPC server once loaded (see `grpcServer()`). */
  private grpc: GrpcServer | undefined;
  private grpcLoading: Promise<GrpcServer> | undefined;
  private readonly tcp: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly accepted: ReadonlySet<ServerTransport>;
  private readonly health: HealthService | undefined;
  /** What the reflection service answers for; the service itself is loaded on the first reflection call. */
  private readonly reflection: ReflectionSetup | undefined;
  private reflectionService: Promise<ReflectionService> | undefined;
  private readonly limits: ConnectionLimits;
  private readonly admission: ConnectionAdmission;
  private readonly pingPong = new Set<PingPongConnection<Req, Res>>();
  private readonly ttstream = new Set<TTStreamConnection>();
  private bound: { host: string; port: number } | undefined;
  private registry: Registry | undefined;
  /** What was registered, to deregister on close. */
  private registered: RegistryInfo | undefined;
  /** The handlers calls are dispatched to: the user's, wrapped in the middlewares when there are any. */
  readonly handlers: Handlers<Req, Res>;

  constructor(
    readonly generic: Generic<Req, Res>,
    handlers: Handlers<Req, Res>,
    private readonly options: GenericServerOptions = {},
  ) {
    for (const name of Object.keys(handlers)) generic.method(name); // a handler for a method that does not exist is a mistake
    const middlewares = options.middlewares;
    this.handlers = middlewares?.length ? withMiddlewares(generic, handlers, middlewares, () => (this.bound ? this.hostPort : '')) : handlers;
    this.accepted = new Set(options.transports ?? ALL);
    this.limits = resolveLimits(options);
    this.admission = new ConnectionAdmission(this.limits.maxConnections);
    const { maxReceiveMessageBytes, maxConcurrentStreams, idleTimeoutMs, handshakeTimeoutMs, maxConnections } = this.limits;
    const provider = (generic as { provider?: unknown }).provider;
    const proto = generic.idl === 'proto' && provider instanceof ProtoProvider ? provider : undefined;
    const served = proto?.service?.fullName ?? generic.serviceName;
    // A served IDL that is itself one of these services keeps its own handlers.
    if (options.health !== false && served !== HEALTH_SERVICE) this.health = new HealthService([served]);
    if (options.reflection !== false && !(REFLECTION_SERVICES as readonly string[]).includes(served)) {
      const listed = [
        ...(proto ? [served] : []),
        ...(this.health ? [HEALTH_SERVICE] : []),
        ...REFLECTION_SERVICES,
      ];
      this.reflection = { listed, registry: proto?.registry };
    }
    this.grpcOptions = {
      ...(options.tls ? { tls: options.tls } : {}),
      maxReceiveMessageBytes,
      maxConcurrentStreams,
      idleTimeoutMs,
      handshakeTimeoutMs,
      maxConnections, // applies when the HTTP/2 server listens itself (TLS)
    };
    this.tcp = net.createServer((socket) => this.accept(socket));
  }

  /** What the server holds right now: connections, queued requests, buffered bytes. */
  diagnostics(): ServerDiagnostics {
    let queued = 0;
    let bytes = 0;
    for (const c of this.pingPong) {
      queued += c.queuedRequests;
      bytes += c.bufferedBytes;
    }
    let streamBytes = 0;
    for (const c of this.ttstream) streamBytes += c.bufferedBytes;
    return {
      connections: this.options.tls ? (this.grpc?.sessionCount ?? 0) : this.admission.count,
      grpcSessions: this.grpc?.sessionCount ?? 0,
      pingPongConnections: this.pingPong.size,
      pingPongQueuedRequests: queued,
      pingPongBufferedBytes: bytes,
      ttstreamConnections: this.ttstream.size,
      ttstreamBufferedBytes: streamBytes,
    };
  }

  /** Where the server listens, once `start()` resolved. */
  get address(): { host: string; port: number } {
    if (!this.bound) throw new UsageError('the server is not listening yet');
    return this.bound;
  }

  /** `host:port` of the listening server. */
  get hostPort(): string {
    const { host, port } = this.address;
    return `${host}:${port}`;
  }

  /** Starts listening, then registers (when a registry is set; a failed registration closes the server and rejects). */
  async start(): Promise<{ host: string; port: number }> {
    await this.listen();
    const r = this.options.registry;
    if (r !== undefined) {
      this.registry = typeof r === 'string' ? (await loadDiscovery()).registryForTarget(r) : r;
      const info = this.registryInfo();
      try {
        await this.registry.register(info);
      } catch (e) {
        await this.close();
        throw e;
      }
      this.registered = info;
    }
    return this.bound!;
  }

  /** What this server registers as. */
  private registryInfo(): RegistryInfo {
    const given = this.options.registryInfo ?? {};
    const { host, port } = this.bound!;
    const advertised = host === '' || host === '0.0.0.0' || host === '::' ? firstIPv4() : host;
    return {
      serviceName: given.serviceName ?? this.generic.serviceName,
      address: given.address ?? (advertised.includes(':') ? `[${advertised}]:${port}` : `${advertised}:${port}`),
      weight: given.weight ?? 10,
      tags: given.tags ?? {},
    };
  }

  /**
   * The gRPC (HTTP/2) server, created on first need: before listening for a TLS or a proto
   * server, on the first gRPC connection (health checks) for a Thrift one, which otherwise
   * never loads node:http2.
   */
  private grpcServer(): Promise<GrpcServer> {
    return (this.grpcLoading ??= loadGrpcServer().then((m) => (this.grpc = m.createGrpcServer((call) => this.route(call), this.grpcOptions))));
  }

  private async listen(): Promise<void> {
    const [host, portText] = splitHostPort(this.options.listen ?? '127.0.0.1:0');
    if (this.options.tls) {
      const { port } = await (await this.grpcServer()).listen(Number(portText), host);
      this.bound = { host, port };
      return;
    }
    if (this.generic.idl === 'proto') await this.grpcServer();
    await new Promise<void>((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(Number(portText), host, () => {
        this.tcp.off('error', reject);
        resolve();
      });
    });
    const addr = this.tcp.address() as net.AddressInfo;
    this.bound = { host, port: addr.port };
  }

  /**
   * Sets the health of `service` (a full name, or `""` for the whole server) as
   * `grpc.health.v1.Health` reports it; `Watch` streams see the change. A name not served
   * yet is added. Ignored once `close()` has begun (everything is NOT_SERVING then).
   */
  setServingStatus(service: string, status: Extract<ServingStatus, 'SERVING' | 'NOT_SERVING'>): void {
    if (!this.health) throw new UsageError('this server has no health service (it was created with health: false)');
    if (status !== 'SERVING' && status !== 'NOT_SERVING') throw new UsageError(`serving status must be SERVING or NOT_SERVING, not ${JSON.stringify(status)}`);
    this.health.setStatus(service, status);
  }

  /** Health and reflection first; every other call goes to the handlers. */
  private route(call: ServerCall): Promise<void> | undefined {
    if (this.health?.handles(call.path)) return this.health.serve(call);
    if (this.reflection !== undefined && REFLECTION_PATHS.has(call.path)) return this.serveReflection(call, this.reflection);
    return serveGrpcCall(this.generic, this.handlers, call);
  }

  private async serveReflection(call: ServerCall, { registry, listed }: ReflectionSetup): Promise<void> {
    this.reflectionService ??= loadReflection().then((m) => new m.ReflectionService(registry, () => listed));
    return (await this.reflectionService).serve(call);
  }

  /**
   * Deregisters first (clients stop picking it), sets every health status NOT_SERVING (health
   * watchers see it), stops accepting, lets gRPC calls finish briefly, closes every connection.
   */
  async close(): Promise<void> {
    const registry = this.registry;
    this.registry = undefined;
    if (registry) {
      const info = this.registered;
      this.registered = undefined;
      // Best effort: an unreachable registry lets the registration expire on its own.
      if (info) await registry.deregister(info).catch(() => undefined);
      if (typeof this.options.registry === 'string') await registry.close?.();
    }
    this.health?.shutdown();
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    await this.grpcLoading?.then(
      (grpc) => grpc.close(),
      () => undefined,
    );
    for (const s of this.sockets) s.destroy();
    if (this.tcp.listening) await closed;
  }

  /**
   * Reads until the first bytes say which protocol the connection speaks, then
   * hands the socket to that transport with its clock (handshake, then idle).
   */
  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined);
    if (!this.admission.admit(socket)) return;
    this.sockets.add(socket);
    const timer = new ConnectionTimer(this.limits, () => socket.destroy());
    let pingPong: PingPongConnection<Req, Res> | undefined;
    let ttstream: TTStreamConnection | undefined;
    socket.once('close', () => {
      this.sockets.delete(socket);
      timer.stop();
      if (pingPong) this.pingPong.delete(pingPong);
      if (ttstream) this.ttstream.delete(ttstream);
    });
    let head: Uint8Array = new Uint8Array(0);
    const onData = (chunk: Buffer): void => {
      head = head.length ? concat(head, chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
      if (startsWithPreface(head)) {
        socket.off('data', onData);
        if (!this.accepted.has('grpc')) return void socket.destroy();
        socket.pause();
        socket.unshift(Buffer.from(head));
        const handOver = (grpc: GrpcServer): void => {
          this.sockets.delete(socket); // the HTTP/2 server owns it now and closes it on close()
          handOverTimer(socket, timer);
          grpc.handleSocket(socket);
        };
        if (this.grpc) handOver(this.grpc);
        else whenLoaded(socket, this.grpcServer(), handOver);
        return;
      }
      // ttstream (Kitex's server_provider.go Available): TTHeader magic with the streaming flag
      const isTTStream = head[0]! < 0x80 ? isTTStreamStart(head) : false;
      if (isTTStream === undefined) return;
      if (isTTStream) {
        socket.off('data', onData);
        if (!this.accepted.has('ttstream') || this.generic.idl !== 'thrift') return void socket.destroy();
        const { maxReceiveMessageBytes, maxConcurrentStreams } = this.limits;
        const first = head;
        whenLoaded(socket, loadTTStream(), (m) => {
          ttstream = new m.ServerConnection(socket, (stream) => void m.serveTTStream(this.generic, this.handlers, stream), {
            maxReceiveMessageBytes,
            maxConcurrentStreams,
            timer,
          });
          this.ttstream.add(ttstream);
          socket.resume();
          ttstream.push(first);
        });
        return;
      }
      const detected = detectProtocol(head);
      if (detected === undefined && head.length < SNIFF_LIMIT) return;
      socket.off('data', onData);
      if (!detected || !this.accepted.has(detected.transport)) return void socket.destroy();
      if (detected.payloadProtocol === 'kitex-protobuf' ? this.generic.idl !== 'proto' : this.generic.idl !== 'thrift') {
        return void socket.destroy();
      }
      const first = head;
      whenLoaded(socket, loadPingPong(), (m) => {
        pingPong = new m.PingPongConnection(this.generic, this.handlers, socket, this.limits, timer);
        this.pingPong.add(pingPong);
        socket.resume();
        pingPong.received(first);
      });
    };
    socket.on('data', onData);
  }
}

/**
 * Runs `use` once `loading` settled, with `socket` paused meanwhile (its bytes wait in the
 * kernel and the stream); a socket closed by then is left alone, and a module that fails to
 * load closes it.
 */
function whenLoaded<M>(socket: net.Socket, loading: Promise<M>, use: (m: M) => void): void {
  socket.pause();
  loading.then(
    (m) => {
      if (!socket.destroyed) use(m);
    },
    () => socket.destroy(),
  );
}

function startsWithPreface(b: Uint8Array): boolean {
  for (let i = 0; i < HTTP2_PREFACE_START.length; i++) if (i < b.length && b[i] !== HTTP2_PREFACE_START[i]) return false;
  return b.length >= HTTP2_PREFACE_START.length;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** This machine's first non-loopback IPv4 address (Kitex's choice for a wildcard listen address). */
function firstIPv4(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function splitHostPort(hostPort: string): [string, string] {
  const i = hostPort.lastIndexOf(':');
  if (i < 0) throw new UsageError(`listen address "${hostPort}" must be host:port`);
  return [hostPort.slice(0, i).replace(/^\[|\]$/g, ''), hostPort.slice(i + 1)];
}

/**
 * Kitex's generic server for Node: serves `generic`'s service with
 * `handlers` over gRPC, TTHeader Streaming and the ping-pong transports on one port. Call
 * `start()` to listen.
 */
export function newGenericServer<Req, Res>(
  generic: Generic<Req, Res>,
  handlers: Handlers<Req, Res>,
  options?: GenericServerOptions,
): GenericServer<Req, Res> {
  return new GenericServer(generic, handlers, options);
}
