/**
 * Where each call (and each attempt of a call) goes: the one place the generic client asks for
 * an address. Built from the client's options: fixed `hostPorts`, or a `resolver` (a `dns:` or
 * `etcd://` target, or a Resolver object), spread by the `balancer`.
 */
import {
  InstancePicker,
  resolverForTarget,
  staticResolver,
  type InstanceStatus,
  type Resolver,
} from '../discovery/index.js';
import { Code } from '../errors/status-code.js';
import { RpcError } from '../errors/rpc-error.js';
import { UsageError } from '../errors/usage-error.js';
import type { ClientOptions } from './options.js';

/** The question an attempt asks. */
export interface PickRequest {
  method: string;
  /** Consistent hashing key of the call. */
  hashKey?: string | undefined;
  /** Addresses not to use (those that already failed this call). */
  exclude?: ReadonlySet<string> | undefined;
}

/** Most addresses one call tries when the ones it is given cannot be reached. */
const MAX_UNREACHABLE = 10;

/** Chooses addresses for a client's calls. */
export class AddressPicker {
  private readonly picker: InstancePicker;
  /** The resolver, when this picker made it (from a target string) and so closes it. */
  private readonly owned: Resolver | undefined;
  /** Whether calls must count themselves in and out (least-request balancing). */
  readonly tracksLoad: boolean;
  private closed = false;

  constructor(
    serviceName: string,
    options: ClientOptions,
    /** An address is no longer used: the transports may close its connections. */
    onDropped: (hostPort: string) => void,
  ) {
    const { resolver, hostPorts } = options;
    if (resolver !== undefined && hostPorts?.length) throw new UsageError('give hostPorts or resolver, not both');
    let r: Resolver;
    let service = serviceName;
    if (resolver === undefined) {
      if (!hostPorts?.length) throw new UsageError('hostPorts must name at least one host:port (or give a resolver)');
      r = staticResolver(hostPorts);
    } else if (typeof resolver === 'string') {
      const t = resolverForTarget(resolver);
      r = this.owned = t.resolver;
      service = t.service ?? serviceName;
    } else {
      r = resolver;
    }
    this.picker = new InstancePicker(r, service, {
      ...(options.balancer !== undefined ? { balancer: options.balancer } : {}),
      ...(options.consistentHash !== undefined ? { consistentHash: options.consistentHash } : {}),
      ...(options.outlierEjection !== undefined ? { outlierEjection: options.outlierEjection } : {}),
      ...(options.warmupMs !== undefined ? { warmupMs: options.warmupMs } : {}),
      ...(options.subsetSize !== undefined ? { subsetSize: options.subsetSize } : {}),
      ...(options.subsetKey !== undefined ? { subsetKey: options.subsetKey } : {}),
      onDropped,
    });
    this.tracksLoad = this.picker.balancer.name === 'p2c';
    this.picker.start();
  }

  /** Whether instances are known (calls need not wait). */
  get ready(): boolean {
    return this.picker.ready;
  }

  /** Waits for the first resolution; rejects UNAVAILABLE when it failed. */
  async whenReady(): Promise<void> {
    try {
      await this.picker.whenReady();
    } catch (e) {
      if (this.closed) throw new UsageError('the client is closed');
      throw new RpcError(Code.UNAVAILABLE, `cannot resolve ${this.picker.service}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The address for an attempt; throws UNAVAILABLE when no instance is usable. */
  pickAddress(req: PickRequest): string {
    const e = this.picker.pick(req.hashKey, req.exclude);
    if (e === undefined) {
      const why = this.picker.size === 0 ? 'no instances' : 'no usable instance';
      throw new RpcError(Code.UNAVAILABLE, `${why} of ${this.picker.service}${req.exclude?.size ? ` besides ${[...req.exclude].join(', ')}` : ''}`);
    }
    return e.address;
  }

  /**
   * For the transports' failover: another address when those in `tried` could not be reached,
   * or undefined when there is none (or enough were tried).
   */
  nextAddress(req: PickRequest, tried: ReadonlySet<string>): string | undefined {
    if (tried.size >= MAX_UNREACHABLE) return undefined;
    let exclude: ReadonlySet<string> = tried;
    if (req.exclude?.size) exclude = new Set([...req.exclude, ...tried]);
    return this.picker.pick(req.hashKey, exclude)?.address;
  }

  /** More than one instance known: failover can help. */
  get several(): boolean {
    return this.picker.size > 1;
  }

  /** Counts a call in flight at `hostPort` (least-request balancing); returns its end. */
  callStarted(hostPort: string): () => void {
    const e = this.picker.endpoint(hostPort);
    if (e === undefined) return noop;
    e.inflight++;
    return () => {
      e.inflight--;
    };
  }

  /** A transport's news about connections to an address. */
  readonly connectionEvent = (hostPort: string, state: 'ready' | 'failed' | 'closed'): void => {
    this.picker.connectionEvent(hostPort, state);
  };

  /** The instances known, with their connection state, ejection and load. */
  instances(): InstanceStatus[] {
    return this.picker.instances();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.picker.close();
    await this.owned?.close?.();
  }
}

function noop(): void {}
