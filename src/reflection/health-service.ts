/**
 * The server side of `grpc.health.v1.Health`: `Check`, `Watch` and `List` over a table of
 * serving statuses (`""` for the server as a whole, one entry per service). `Watch` sends
 * the current status, then each change; a slow watcher only ever has the latest status
 * pending, so nothing queues up. Shutting down sets everything NOT_SERVING first, tells the
 * watchers, then ends their streams.
 */
import type { ServerCall } from '../http2/index.js';
import { Code } from '../errors/status-code.js';
import { HEALTH_SERVICE } from './service-names.js';
import { WireReader, WireWriter } from './wire.js';

/** A service's health, as `grpc.health.v1.HealthCheckResponse.ServingStatus` names it. */
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

/** ServingStatus names by number. */
export const SERVING_STATUSES: readonly ServingStatus[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

/** `HealthCheckRequest { string service = 1; }`. Throws `CodecError`. */
export function decodeHealthRequest(bytes: Uint8Array): string {
  const r = new WireReader(bytes);
  let service = '';
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 0x0a) service = r.string();
    else r.skip(tag, 0);
  }
  return service;
}

/** `HealthCheckRequest` bytes. */
export function encodeHealthRequest(service: string): Uint8Array {
  const w = new WireWriter(16 + service.length * 3);
  if (service) w.string(1, service);
  return w.finish();
}

/** `HealthCheckResponse { ServingStatus status = 1; }` bytes. */
export function encodeHealthResponse(status: ServingStatus): Uint8Array {
  const n = SERVING_STATUSES.indexOf(status);
  return n === 0 ? new Uint8Array(0) : new Uint8Array([0x08, n]);
}

/** A `HealthCheckResponse`'s status (a number outside the enum comes back as UNKNOWN). Throws `CodecError`. */
export function decodeHealthResponse(bytes: Uint8Array): ServingStatus {
  const r = new WireReader(bytes);
  let n = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 0x08) n = r.int32();
    else r.skip(tag, 0);
  }
  return SERVING_STATUSES[n] ?? 'UNKNOWN';
}

/** One open Watch: the status still to send, and how to wake its loop. */
interface Watcher {
  pending: ServingStatus | undefined;
  wake: (() => void) | undefined;
}

const METHODS = { Check: `/${HEALTH_SERVICE}/Check`, Watch: `/${HEALTH_SERVICE}/Watch`, List: `/${HEALTH_SERVICE}/List` };

/** The health service of one server. */
export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<Watcher>>();
  private stopping = false;

  /** Every name in `services` (and `""`, the server as a whole) starts SERVING. */
  constructor(services: readonly string[]) {
    this.statuses.set('', 'SERVING');
    for (const s of services) this.statuses.set(s, 'SERVING');
  }

  /** True for the paths of Check, Watch and List. */
  handles(path: string): boolean {
    return path === METHODS.Check || path === METHODS.Watch || path === METHODS.List;
  }

  /** Sets a service's status (a new name is added) and tells its watchers; ignored once shutting down. */
  setStatus(service: string, status: ServingStatus): void {
    if (this.stopping) return;
    this.update(service, status);
  }

  /** Every status NOT_SERVING, watchers told, their streams then ended; later `setStatus` calls are ignored. */
  shutdown(): void {
    if (this.stopping) return;
    for (const s of this.statuses.keys()) this.update(s, 'NOT_SERVING');
    this.stopping = true;
    for (const set of this.watchers.values()) for (const w of set) w.wake?.();
  }

  private update(service: string, status: ServingStatus): void {
    if (this.statuses.get(service) === status) return;
    this.statuses.set(service, status);
    for (const w of this.watchers.get(service) ?? []) {
      w.pending = status;
      w.wake?.();
    }
  }

  /** Serves one call of Check, Watch or List. */
  async serve(call: ServerCall): Promise<void> {
    const bytes = await call.recv();
    if (bytes === undefined) return call.end({ code: Code.INTERNAL, message: 'the client sent no request' });
    if (call.path === METHODS.List) return this.list(call);
    let service: string;
    try {
      service = decodeHealthRequest(bytes);
    } catch (err) {
      return call.end({ code: Code.INVALID_ARGUMENT, message: `health request could not be decoded: ${(err as Error).message}` });
    }
    if (call.path === METHODS.Check) {
      const status = this.statuses.get(service);
      if (status === undefined) return call.end({ code: Code.NOT_FOUND, message: `unknown service ${JSON.stringify(service)}` });
      await call.send(encodeHealthResponse(status));
      return call.end({ code: Code.OK });
    }
    return this.watch(call, service);
  }

  private async list(call: ServerCall): Promise<void> {
    const w = new WireWriter(64);
    for (const [name, status] of this.statuses) {
      const entry = w.begin(1);
      w.string(1, name);
      w.bytes(2, encodeHealthResponse(status));
      w.end(entry);
    }
    await call.send(w.finish());
    call.end({ code: Code.OK });
  }

  private async watch(call: ServerCall, service: string): Promise<void> {
    const watcher: Watcher = { pending: this.statuses.get(service) ?? 'SERVICE_UNKNOWN', wake: undefined };
    let set = this.watchers.get(service);
    if (!set) this.watchers.set(service, (set = new Set()));
    set.add(watcher);
    const onAbort = (): void => watcher.wake?.();
    call.signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (watcher.pending !== undefined) {
          const status = watcher.pending;
          watcher.pending = undefined;
          await call.send(encodeHealthResponse(status));
          continue;
        }
        if (call.signal.aborted) return;
        if (this.stopping) return call.end({ code: Code.UNAVAILABLE, message: 'the server is shutting down' });
        await new Promise<void>((resolve) => (watcher.wake = resolve));
        watcher.wake = undefined;
      }
    } finally {
      call.signal.removeEventListener('abort', onAbort);
      set.delete(watcher);
      if (set.size === 0 && this.watchers.get(service) === set) this.watchers.delete(service);
    }
  }
}
