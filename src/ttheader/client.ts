/**
 * The ping-pong client: Thrift (or Kitex protobuf) request bytes in, reply
 * bytes out, over TTHeader, Framed, Buffered or THeader. No IDL knowledge: the
 * caller hands the encoded args struct and gets the result struct back.
 */
import type * as net from 'node:net';
import { RpcError, Code } from '../errors/index.js';
import { describeConnection, type ConnectListener } from '../net/connection-info.js';
import { CallGuard } from './call-guard.js';
import { HostPool, type HostPoolOptions } from './pool.js';
import type { Connection, ReplyWaiter } from './connection.js';
import { encodeEnvelope, decodeEnvelope, carriesTTHeader, checkCombination, EnvelopeTemplate, type EnvelopeFields, type PingPongTransport, type PayloadProtocol, type DecodedEnvelope } from './envelope.js';
import { MessageType } from '../frame/tmessage.js';
import { IntInfoKey, StrInfoKey, TRANSPORT_TYPE_FRAMED, TRANSPORT_TYPE_UNFRAMED, putMetainfo, takeAclToken } from '../frame/info-keys.js';
import { applicationExceptionToError, ThriftApplicationError } from '../frame/application-exception.js';
import { decodeKitexProtobufError } from './kitex-protobuf.js';
import { DEFAULT_MAX_FRAME_BYTES, type Delimiting } from './frame-decoder.js';
import { protocolError } from '../frame/errors.js';

/** Options of {@link PingPongClient}. */
export interface PingPongClientOptions {
  /**
   * `host:port` targets (`[::1]:8888` for IPv6), used round-robin by calls that do not name
   * their own `hostPort`. May be empty when every call names one.
   */
  hostPorts: string[];
  transport: PingPongTransport;
  /** Default `thrift-binary`. */
  payloadProtocol?: PayloadProtocol;
  /** Default 8. */
  maxConnectionsPerHost?: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /** Largest reply accepted (the frame, and a THeader payload once inflated); default 4 MiB. */
  maxFrameBytes?: number;
  /** Caller's service / method names (TTHeader FromService / FromMethod; empty by default, as in Kitex). */
  fromService?: string;
  fromMethod?: string;
  /** Idle connections are closed after this long; default 60000, 0 keeps them. */
  idleTimeoutMs?: number;
  /** Told about each connection once it is open (resolved address, ports). */
  onConnect?: ConnectListener;
  /**
   * Told what becomes of connections to each address: `ready` (a connection opened), `failed`
   * (opening one failed: refused or timed out) or `closed` (the address's last open connection
   * closed). Balancers use it for connection state and outlier ejection. It must not throw.
   */
  onConnectionState?: (hostPort: string, state: 'ready' | 'failed' | 'closed') => void;
}

/** One call. */
export interface PingPongRequest {
  method: string;
  /**
   * The address to send this call to (`host:port`), chosen by the caller (a balancer, a retry
   * that avoids the instance that failed). Without it, round robin over the client's hostPorts.
   */
  hostPort?: string;
  /**
   * With `hostPort`: asked for another address when no connection to it could be had (refused,
   * timed out, the address left) before anything was sent, given every address tried so far;
   * undefined gives up. Without it, an unreachable `hostPort` fails the call.
   */
  nextHostPort?: (tried: ReadonlySet<string>) => string | undefined;
  /** Encoded args struct (Thrift) or bare message (Kitex protobuf), without a message header. */
  body: Uint8Array;
  /** Send as ONEWAY: resolves (to undefined) once written; no reply is read. */
  oneway?: boolean;
  /** TTHeader ToService; defaults to `idlServiceName`. */
  toService?: string;
  /** TTHeader string key `isn` (the IDL service name). */
  idlServiceName?: string;
  /** Whole-call deadline; also sent as TTHeader RPCTimeout (ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Transient metainfo (TTHeader `RPC_TRANSIT_<key>`; THeader headers as is). */
  metadata?: Record<string, string>;
  /** Persistent metainfo (TTHeader `RPC_PERSIST_<key>`; THeader headers as is). */
  persistentMetadata?: Record<string, string>;
}

/** Reply headers: TTHeader int/string info, or THeader headers in `strInfo`. */
export interface PingPongHeaders {
  intInfo: ReadonlyMap<number, string>;
  strInfo: ReadonlyMap<string, string>;
}

/** A REPLY. */
export interface PingPongReply {
  /**
   * Always 'reply' today: an EXCEPTION message rejects the call with a
   * {@link ThriftApplicationError} instead (kept in the type for callers that check).
   */
  messageType: 'reply' | 'exception';
  /** Result struct (Thrift; declared exceptions are inside it) or bare message (Kitex protobuf). */
  body: Uint8Array;
  headers: PingPongHeaders;
}

interface CachedHeader {
  toService: string;
  idl: string;
  timeout: number;
  oneway: boolean;
  /** Undefined where the layout cannot be patched (compact, THeader): encoded every call. */
  template: EnvelopeTemplate | undefined;
}

interface Target {
  host: string;
  port: number;
}

function hasEntries(o: Record<string, string> | undefined): boolean {
  if (o === undefined) return false;
  for (const _ in o) return true;
  return false;
}

/** Parses `host:port` / `[v6]:port`. */
export function parseHostPort(hp: string): Target {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(hp) ?? /^([^:]+):(\d+)$/.exec(hp);
  if (!m) throw new TypeError(`invalid host:port '${hp}'`);
  const port = Number(m[2]);
  if (!(port > 0 && port < 65536)) throw new TypeError(`invalid port in '${hp}'`);
  return { host: m[1]!, port };
}

/** A request waiting for its reply: settles the caller's promise from the connection's events. */
class ReplyCall implements ReplyWaiter {
  constructor(
    private readonly client: PingPongClient,
    readonly pool: HostPool,
    readonly conn: Connection,
    readonly method: string,
    readonly seqId: number,
    private readonly guard: CallGuard | undefined,
    private readonly resolve: (r: PingPongReply) => void,
    private readonly reject: (e: unknown) => void,
  ) {}

  onFrame(frame: Uint8Array): void {
    this.guard?.listen(undefined); // the reply is in: a late timeout must not break a pooled connection
    let reply: PingPongReply;
    try {
      reply = this.client.finish(this, frame);
    } catch (e) {
      this.reject(e);
      return;
    }
    this.resolve(reply);
  }

  onError(err: RpcError): void {
    this.reject(err);
  }
}

/**
 * Thrift ping-pong client over node:net. One request per connection at a time,
 * pooled per host. Errors are RpcErrors: UNAVAILABLE (connect/close),
 * DEADLINE_EXCEEDED (timeoutMs), CANCELLED (signal), INTERNAL (protocol
 * violations, sequence-id mismatch), RESOURCE_EXHAUSTED (frame limit), and
 * ThriftApplicationError for an EXCEPTION reply.
 */
export class PingPongClient {
  /** The configured targets, for round robin. */
  private readonly pools: HostPool[];
  /** Every pool by address: the configured ones and those calls named themselves. */
  private readonly poolsByHostPort = new Map<string, HostPool>();
  private readonly poolOptions: Omit<HostPoolOptions, 'host' | 'port' | 'onConnectionState' | 'onEmpty'>;
  private readonly onConnect: ConnectListener | undefined;
  private readonly onConnectionState: PingPongClientOptions['onConnectionState'];
  /** The configured addresses: their pools are kept when empty. */
  private readonly configured: ReadonlySet<string>;
  private next = 0;
  private closed = false;
  private readonly transport: PingPongTransport;
  private readonly payload: PayloadProtocol;
  private readonly fromService: string;
  private readonly fromMethod: string;
  private readonly maxFrameBytes: number;
  /** Encoded headers per method, for calls without per-call metadata. */
  private readonly templates = new Map<string, CachedHeader>();

  constructor(opts: PingPongClientOptions) {
    this.transport = opts.transport;
    this.payload = opts.payloadProtocol ?? 'thrift-binary';
    checkCombination(this.transport, this.payload);
    this.fromService = opts.fromService ?? '';
    this.fromMethod = opts.fromMethod ?? '';
    this.maxFrameBytes = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    const delimiting: Delimiting = this.transport === 'buffered'
      ? { kind: 'buffered', encoding: this.payload === 'thrift-compact' ? 'compact' : 'binary' }
      : { kind: 'length-prefixed' };
    this.onConnect = opts.onConnect;
    this.poolOptions = {
      connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
      delimiting,
      maxFrameBytes: this.maxFrameBytes,
      maxConnections: Math.max(1, opts.maxConnectionsPerHost ?? 8),
      idleTimeoutMs: opts.idleTimeoutMs ?? 60_000,
    };
    this.onConnectionState = opts.onConnectionState;
    this.configured = new Set(opts.hostPorts ?? []);
    this.pools = (opts.hostPorts ?? []).map((hp) => this.poolFor(hp));
  }

  /**
   * The pool of one address, made on first use. A pool for an address a call named is
   * forgotten once it holds nothing, so addresses that come and go don't pile up.
   */
  private poolFor(hostPort: string): HostPool {
    let pool = this.poolsByHostPort.get(hostPort);
    if (pool === undefined) {
      const t = parseHostPort(hostPort);
      const listener = this.onConnect;
      const transport = this.transport;
      const report = this.onConnectionState;
      const p: HostPool = new HostPool({
        host: t.host,
        port: t.port,
        ...this.poolOptions,
        ...(listener ? { onConnect: (socket: net.Socket) => listener(describeConnection(socket, hostPort, transport)) } : {}),
        ...(report ? { onConnectionState: (state) => report(hostPort, state) } : {}),
        ...(this.configured.has(hostPort) ? {} : { onEmpty: () => this.forget(hostPort, p) }),
      });
      pool = p;
      this.poolsByHostPort.set(hostPort, pool);
    }
    return pool;
  }

  private forget(hostPort: string, pool: HostPool): void {
    if (this.poolsByHostPort.get(hostPort) === pool) this.poolsByHostPort.delete(hostPort);
  }

  /**
   * Lets go of an address (an instance that left): idle connections to it close now, busy
   * ones once their reply is in; calls waiting for a connection there move on (see
   * `nextHostPort`) or fail UNAVAILABLE. Forgotten unless it is a configured hostPort.
   */
  closeAddress(hostPort: string): void {
    const pool = this.poolsByHostPort.get(hostPort);
    if (pool === undefined || this.configured.has(hostPort)) return;
    this.poolsByHostPort.delete(hostPort);
    pool.drain();
  }

  /** Sends one request; resolves with the REPLY, or undefined for oneway. */
  call(req: PingPongRequest): Promise<PingPongReply | undefined> {
    if (this.closed) return Promise.reject(new RpcError(Code.UNAVAILABLE, 'client is closed'));
    let pool: HostPool;
    if (req.hostPort !== undefined) {
      try {
        pool = this.poolFor(req.hostPort);
      } catch (e) {
        return Promise.reject(new RpcError(Code.INVALID_ARGUMENT, (e as Error).message));
      }
    } else {
      if (this.pools.length === 0) return Promise.reject(new RpcError(Code.UNAVAILABLE, 'no hostPorts configured and the call names no hostPort'));
      pool = this.pools[this.next]!;
      this.next = this.next + 1 === this.pools.length ? 0 : this.next + 1;
    }
    // Without a deadline or a signal, an idle connection is used at once: no guard, no extra turn.
    if (req.timeoutMs === undefined && req.signal === undefined) {
      const conn = pool.takeIdle();
      if (conn !== undefined) return this.exchange(pool, conn, req, undefined);
    }
    return this.guardedCall(pool, req);
  }

  private async guardedCall(pool: HostPool, req: PingPongRequest): Promise<PingPongReply | undefined> {
    const guard = req.timeoutMs !== undefined || req.signal ? new CallGuard(req.timeoutMs, req.signal) : undefined;
    if (guard?.reason) throw guard.reason;
    try {
      let conn: Connection;
      let tried: Set<string> | undefined;
      let at = req.hostPort;
      for (;;) {
        try {
          conn = pool.takeIdle() ?? (await pool.acquire(guard));
          break;
        } catch (e) {
          // Nothing was sent: an unreachable address may give way to another the caller names.
          if (this.closed || !(e instanceof RpcError) || e.code !== Code.UNAVAILABLE || !req.nextHostPort || at === undefined) throw e;
          (tried ??= new Set()).add(at);
          at = req.nextHostPort(tried);
          if (at === undefined || tried.has(at)) throw e;
          try {
            pool = this.poolFor(at);
          } catch {
            throw e; // not a host:port: give up with the reason the last one failed
          }
        }
      }
      if (guard) {
        if (guard.reason) {
          pool.release(conn);
          throw guard.reason;
        }
        guard.listen((err) => conn.fail(err));
      }
      return await this.exchange(pool, conn, req, guard);
    } finally {
      guard?.dispose();
    }
  }

  /** One request on a connection lent by `pool`, which gets it back unless it broke. */
  private exchange(pool: HostPool, conn: Connection, req: PingPongRequest, guard: CallGuard | undefined): Promise<PingPongReply | undefined> {
    const seqId = conn.nextSeqId();
    let bytes: Uint8Array;
    try {
      bytes = this.encode(req, seqId);
    } catch (e) {
      pool.release(conn); // nothing was written: the connection is still good
      return Promise.reject(e);
    }
    if (req.oneway) {
      return conn.send(bytes).then(() => {
        pool.release(conn);
        return undefined;
      });
    }
    return new Promise((resolve, reject) => conn.request(bytes, new ReplyCall(this, pool, conn, req.method, seqId, guard, resolve, reject)));
  }

  /** @internal Decodes and checks a reply frame; breaks the connection when the frame is wrong. */
  finish(call: ReplyCall, frame: Uint8Array): PingPongReply {
    const conn = call.conn;
    let env: DecodedEnvelope;
    try {
      env = decodeEnvelope(frame, this.transport === 'buffered', this.maxFrameBytes);
      this.check(env, call.method, call.seqId);
    } catch (e) {
      conn.fail(e instanceof RpcError ? e : protocolError(String(e), e));
      throw e;
    }
    // Kitex's "connection ready to reset": answer read, but do not reuse the connection
    if (env.strInfo.has(StrInfoKey.ConnectionReadyToReset)) conn.fail(new RpcError(Code.UNAVAILABLE, 'connection reset requested by the server'));
    else call.pool.release(conn);
    return this.toReply(env);
  }

  private encode(req: PingPongRequest, seqId: number): Uint8Array {
    const template = hasEntries(req.metadata) || hasEntries(req.persistentMetadata) ? undefined : this.templateFor(req);
    return template ? template.fill(seqId, req.body) : encodeEnvelope({ ...this.headerFields(req), seqId, body: req.body });
  }

  /** The request header of a call without per-call metadata, encoded once per method. */
  private templateFor(req: PingPongRequest): EnvelopeTemplate | undefined {
    // Without per-call metadata the header only depends on these, which rarely change per method.
    const toService = req.toService ?? req.idlServiceName ?? '';
    const idl = req.idlServiceName ?? '';
    const timeout = req.timeoutMs !== undefined && req.timeoutMs > 0 ? Math.ceil(req.timeoutMs) : 0;
    const oneway = req.oneway === true;
    let c = this.templates.get(req.method);
    if (c === undefined || c.toService !== toService || c.idl !== idl || c.timeout !== timeout || c.oneway !== oneway) {
      if (this.templates.size >= 256) this.templates.clear(); // bounded however many method names callers invent
      c = { toService, idl, timeout, oneway, template: EnvelopeTemplate.of(this.headerFields(req)) };
      this.templates.set(req.method, c);
    }
    return c.template;
  }

  /** Everything of the request's envelope but its body and sequence id. */
  private headerFields(req: PingPongRequest): Omit<EnvelopeFields, 'body' | 'seqId'> {
    const type = req.oneway ? MessageType.ONEWAY : MessageType.CALL;
    const t = this.transport;
    const base = { transport: t, payloadProtocol: this.payload, name: req.method, type };
    if (carriesTTHeader(t)) {
      const intInfo = new Map<number, string>();
      // the order Kitex happened to use in the captures (Go map order is free)
      intInfo.set(IntInfoKey.ToService, req.toService ?? req.idlServiceName ?? '');
      intInfo.set(IntInfoKey.ToMethod, req.method);
      intInfo.set(IntInfoKey.MsgType, String(type));
      intInfo.set(IntInfoKey.TransportType, t === 'ttheader' ? TRANSPORT_TYPE_FRAMED : TRANSPORT_TYPE_UNFRAMED);
      if (req.timeoutMs !== undefined && req.timeoutMs > 0) intInfo.set(IntInfoKey.RPCTimeout, String(Math.ceil(req.timeoutMs)));
      intInfo.set(IntInfoKey.FromService, this.fromService);
      intInfo.set(IntInfoKey.FromMethod, this.fromMethod);
      let strInfo: Map<string, string> | undefined;
      if (req.idlServiceName) strInfo = new Map([[StrInfoKey.IDLServiceName, req.idlServiceName]]);
      let aclToken: string | undefined;
      if (req.metadata || req.persistentMetadata) {
        strInfo ??= new Map();
        putMetainfo(strInfo, req.metadata, req.persistentMetadata);
        aclToken = takeAclToken(strInfo);
      }
      return { ...base, intInfo, ...(strInfo ? { strInfo } : {}), ...(aclToken !== undefined ? { aclToken } : {}) };
    }
    if (t === 'theader' && (req.metadata || req.persistentMetadata)) {
      const headers = new Map<string, string>();
      for (const [k, v] of Object.entries(req.metadata ?? {})) headers.set(k, v);
      for (const [k, v] of Object.entries(req.persistentMetadata ?? {})) headers.set(k, v);
      return { ...base, strInfo: headers };
    }
    return base;
  }

  /** Protocol checks on a reply; throws (and the caller breaks the connection). */
  private check(env: DecodedEnvelope, method: string, seqId: number): void {
    if (env.transport !== this.transport) throw protocolError(`expected a ${this.transport} reply, got ${env.transport}`);
    if (env.payloadProtocol !== this.payload) throw protocolError(`expected a ${this.payload} reply, got ${env.payloadProtocol}`);
    if (env.seqId !== seqId) throw protocolError(`sequence id mismatch: sent ${seqId}, reply has ${env.seqId}`);
    const isException = env.type === MessageType.EXCEPTION;
    if (env.frameSeqId !== undefined && env.frameSeqId !== seqId && !isException) {
      throw protocolError(`header sequence id mismatch: sent ${seqId}, reply has ${env.frameSeqId}`);
    }
    if (env.type !== MessageType.REPLY && !isException) throw protocolError(`unexpected message type ${env.type} in reply`);
    if (!isException && env.name !== method) throw protocolError(`reply is for method '${env.name}', not '${method}'`);
  }

  private toReply(env: DecodedEnvelope): PingPongReply {
    if (env.type === MessageType.EXCEPTION) {
      const meta = Object.fromEntries(env.strInfo);
      if (env.payloadProtocol === 'kitex-protobuf') {
        const e = decodeKitexProtobufError(env.body);
        throw new ThriftApplicationError(e.type, e.message, meta);
      }
      throw applicationExceptionToError(env.body, env.payloadProtocol === 'thrift-compact' ? 'compact' : 'binary', meta);
    }
    const biz = env.strInfo.get(StrInfoKey.BizStatus);
    if (biz !== undefined) {
      const code = Number.parseInt(biz, 10);
      if (Number.isFinite(code) && code !== 0) throw new RpcError(code, env.strInfo.get(StrInfoKey.BizMessage) ?? '', { metadata: Object.fromEntries(env.strInfo) });
    }
    return { messageType: 'reply', body: env.body, headers: { intInfo: env.intInfo, strInfo: env.strInfo } };
  }

  /**
   * Refuses new calls and closes idle connections; calls in flight get
   * `graceMs` (default 0) to finish, then reject with CANCELLED. Resolves once
   * every connection is closed.
   */
  async close(graceMs = 0): Promise<void> {
    this.closed = true;
    await Promise.all([...this.poolsByHostPort.values()].map((p) => p.close(graceMs)));
  }
}
