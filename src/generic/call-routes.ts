/**
 * Where each call of a client goes: its address from the balancer, and the chooser of
 * another for when that one cannot be reached; for a governed call's attempts, past open
 * breakers and past the instances earlier attempts went to.
 */
import { UsageError } from '../errors/usage-error.js';
import type { CircuitBreakers } from '../governance/circuit-breaker/index.js';
import type { CallOptions, ClientOptions } from './options.js';
import type { AddressPicker, PickRequest } from './pick-address.js';
import type { Route } from './client-transports.js';

/** A client's routing (see the module comment). */
export class CallRoutes {
  /** Set by the client's `close()`: no call is routed after it. */
  closed = false;

  constructor(
    private readonly options: ClientOptions,
    private readonly addresses: AddressPicker,
    private readonly breakers: CircuitBreakers | undefined,
  ) {}

  /** The route of a call (the resolver has answered). */
  route(method: string, opts: CallOptions): Route {
    if (this.closed) throw new UsageError('the client is closed');
    const a = this.addresses;
    const req: PickRequest = { method, hashKey: this.hashKeyOf(opts) };
    const hostPort = a.pickAddress(req);
    return a.several ? { hostPort, nextHostPort: (tried) => a.nextAddress(req, tried) } : { hostPort };
  }

  /**
   * The route of one attempt of a governed call: past instances whose breaker is open, and —
   * when more than one is known — past those earlier attempts of this call went to (unless
   * every one was tried). Adds the address to `tried`.
   */
  governedRoute(method: string, opts: CallOptions, tried: Set<string>, now: number): Route {
    if (this.closed) throw new UsageError('the client is closed');
    const a = this.addresses;
    const breakers = this.breakers;
    const req: PickRequest = { method, hashKey: this.hashKeyOf(opts), exclude: breakers?.excluded(now) };
    let hostPort = tried.size > 0 && a.several ? a.nextAddress(req, tried) : undefined;
    if (hostPort === undefined) {
      try {
        hostPort = a.pickAddress(req);
      } catch (e) {
        if (req.exclude !== undefined && a.instances().length > 0) throw breakers!.allOpen();
        throw e;
      }
    }
    tried.add(hostPort);
    return a.several ? { hostPort, nextHostPort: (t) => a.nextAddress(req, t) } : { hostPort };
  }

  /** The call's consistent hashing key: its `hashKey`, else the configured metadata entry. */
  private hashKeyOf(opts: CallOptions): string | undefined {
    if (opts.hashKey !== undefined) return opts.hashKey;
    const key = this.options.consistentHash?.metadataKey;
    if (key === undefined) return undefined;
    const v = opts.metadata?.[key] ?? this.options.metadata?.[key];
    return typeof v === 'string' ? v : Array.isArray(v) ? v[0] : undefined;
  }
}
