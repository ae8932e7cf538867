/**
 * One thread's share of a bench run: `concurrency` loops making calls
 * through the JSON generic (encoding included, as a real caller pays it)
 * over its own clients and connections. Threads share only a few counters
 * (SharedArrayBuffer): the ticket counter that numbers calls across the run
 * (exact totals, global pacing, `{{.RequestNumber}}`), and the counts the
 * progress line reads. Everything else is per thread and merged at the end.
 * The loop allocates as little as it can: one shared options object, no
 * closures or timers per call.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeclaredException,
  RpcError,
  codeName,
  newStreamingClient,
  type CallMode,
  type CallOptions,
  type ClientOptions,
  type ConnectionInfo,
  type Generic,
  type GenericClient,
} from '../../index.js';
import { causeLine } from '../format.js';
import { LatencyHistogram, type HistogramState } from '../histogram.js';
import { RequestSource, type MethodNames } from './requests.js';
import { Timeline, type TimelineState } from './timeline.js';

/** Slots of the shared counters. */
export const SHARED = { TICKETS: 0, FINISHED: 1, FAILED: 2, SIZE: 3 } as const;

/** Distinct error messages kept; the rest are counted together. */
const MAX_ERROR_KINDS = 20;
const OTHER_ERRORS = '(other errors)';

/** What one thread is asked to do: plain data, so it crosses to a worker thread. */
export interface LoadPlan {
  readonly method: string;
  readonly mode: CallMode;
  readonly names: MethodNames;
  readonly serviceName: string;
  /** Request documents, used round-robin; may be templates. */
  readonly docs: readonly string[];
  readonly streamMessages: number;
  readonly clientOptions: ClientOptions;
  readonly callTimeoutMs: number | undefined;
  /** Calls to make across the run, or undefined when the run is timed. */
  readonly total: number | undefined;
  /** Stop taking calls this long after the start (--duration, or ghz's --max-duration). */
  readonly stopAfterMs: number | undefined;
  /** Minimum ms between call starts across the run (from --rps), 0 for none. */
  readonly intervalMs: number;
  /** Calls numbered below this are made but not reported (ghz --skipFirst). */
  readonly skipFirst: number;
  /** Keep per-call rows (for --format csv), at most this many in this thread; 0 for none. */
  readonly detailRows: number;
  /** This thread's calls in flight at once. */
  readonly concurrency: number;
  /** This thread's clients (each with its own connections). */
  readonly clients: number;
  /** This thread's number, for `{{.WorkerID}}`. */
  readonly threadIndex: number;
}

/** Per-call rows, for CSV and InfluxDB line output. */
export interface DetailRows {
  /** Latency in ms. */
  readonly latencyMs: Float64Array;
  /** When the call ended, ms after the start of the run. */
  readonly atMs: Float64Array;
  /** Index into `statusNames`. */
  readonly status: Uint8Array;
  /** Index into `errorTexts`, -1 when the call succeeded. */
  readonly error: Int16Array;
  readonly length: number;
  readonly statusNames: readonly string[];
  readonly errorTexts: readonly string[];
}

/** What one thread measured. */
export interface LoadResult {
  /** Calls finished, skipped ones included. */
  readonly calls: number;
  /** Calls that failed, skipped ones included. */
  readonly failures: number;
  /** Calls reported (not skipped) and their outcomes. */
  readonly reported: number;
  readonly ok: number;
  readonly messagesSent: number;
  readonly messagesReceived: number;
  readonly okLatency: HistogramState;
  readonly failedLatency: HistogramState;
  readonly statusCodes: Record<string, number>;
  readonly errorMessages: Record<string, number>;
  /** Connections opened (sessions or sockets, reconnections included). */
  readonly connections: number;
  /** Calls sent to each instance the target resolved to. */
  readonly instances: Record<string, number>;
  /** When the last call ended, ms after the start. */
  readonly endMs: number;
  readonly timeline: TimelineState;
  readonly details: DetailRows | undefined;
}

/** Absolute time in ms, comparable across threads. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The outcome counters of one thread. */
class Stats {
  readonly okLatency = new LatencyHistogram();
  readonly failedLatency = new LatencyHistogram();
  readonly timeline = new Timeline();
  calls = 0;
  failures = 0;
  reported = 0;
  ok = 0;
  messagesSent = 0;
  messagesReceived = 0;
  readonly codes = new Map<string, number>();
  readonly errors = new Map<string, number>();
  private readonly statusNames: string[] = ['OK'];
  private readonly rows: { latencyMs: Float64Array; atMs: Float64Array; status: Uint8Array; error: Int16Array } | undefined;
  private rowCount = 0;
  private readonly errorTexts: string[] = [];

  constructor(detailRows: number) {
    this.rows =
      detailRows > 0
        ? { latencyMs: new Float64Array(detailRows), atMs: new Float64Array(detailRows), status: new Uint8Array(detailRows), error: new Int16Array(detailRows) }
        : undefined;
  }

  /** A call that succeeded, `latency` ms long, ending `atMs` after the start. */
  succeeded(latency: number, atMs: number): void {
    this.ok++;
    this.okLatency.record(latency);
    this.timeline.record(atMs, true);
    this.row(latency, atMs, 0, -1);
  }

  /** A call that failed with `err`. */
  failed(err: unknown, latency: number, atMs: number): void {
    let code: string;
    let message: string;
    if (err instanceof RpcError) {
      code = codeName(err.code);
      const cause = causeLine(err);
      message = `${code}: ${err.rawMessage}${cause ? ` (${cause})` : ''}`;
    } else if (err instanceof DeclaredException) {
      code = 'DECLARED_EXCEPTION';
      message = `declared exception ${err.typeName}`;
    } else {
      code = 'CLIENT_ERROR';
      message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    if (message.length > 200) message = message.slice(0, 200) + '…';
    if (!this.errors.has(message) && this.errors.size >= MAX_ERROR_KINDS) message = OTHER_ERRORS;
    this.errors.set(message, (this.errors.get(message) ?? 0) + 1);
    this.failedLatency.record(latency);
    this.timeline.record(atMs, false);
    if (this.rows) {
      let s = this.statusNames.indexOf(code);
      if (s < 0) s = this.statusNames.push(code) - 1;
      let e = this.errorTexts.indexOf(message);
      if (e < 0) e = this.errorTexts.push(message) - 1;
      this.row(latency, atMs, s, e);
    }
  }

  private row(latency: number, atMs: number, status: number, error: number): void {
    const r = this.rows;
    if (r === undefined || this.rowCount >= r.latencyMs.length) return;
    const i = this.rowCount++;
    r.latencyMs[i] = latency;
    r.atMs[i] = atMs;
    r.status[i] = status;
    r.error[i] = error;
  }

  result(connections: number, instances: Record<string, number>, endMs: number): LoadResult {
    if (this.ok) this.codes.set('OK', this.ok);
    const r = this.rows;
    return {
      calls: this.calls,
      failures: this.failures,
      reported: this.reported,
      ok: this.ok,
      messagesSent: this.messagesSent,
      messagesReceived: this.messagesReceived,
      okLatency: this.okLatency.state(),
      failedLatency: this.failedLatency.state(),
      statusCodes: Object.fromEntries(this.codes),
      errorMessages: Object.fromEntries(this.errors),
      connections,
      instances,
      endMs,
      timeline: this.timeline.state(),
      details: r && {
        latencyMs: r.latencyMs.slice(0, this.rowCount),
        atMs: r.atMs.slice(0, this.rowCount),
        status: r.status.slice(0, this.rowCount),
        error: r.error.slice(0, this.rowCount),
        length: this.rowCount,
        statusNames: this.statusNames,
        errorTexts: this.errorTexts,
      },
    };
  }
}

/**
 * One thread's load: its clients are made at once (so a worker can say it is
 * ready), `run` makes the calls, `close` lets the connections go.
 */
export class Load {
  private readonly clients: GenericClient<string, string>[];
  private readonly source: RequestSource;
  private readonly stats: Stats;
  private readonly callOptions: CallOptions;
  private connections = 0;

  constructor(
    private readonly plan: LoadPlan,
    generic: Generic<string, string>,
    private readonly shared: Int32Array,
    onConnect?: (info: ConnectionInfo) => void,
  ) {
    this.source = new RequestSource(plan.docs);
    this.stats = new Stats(plan.detailRows);
    this.callOptions = plan.callTimeoutMs !== undefined ? { timeoutMs: plan.callTimeoutMs } : {};
    const options: ClientOptions = {
      ...plan.clientOptions,
      onConnect: (info) => {
        this.connections++;
        onConnect?.(info);
      },
    };
    this.clients = Array.from({ length: plan.clients }, () => newStreamingClient(plan.serviceName, generic, options));
  }

  /** Runs the loops until the run is over; `startMs` is the run's common start (absolute ms). */
  async run(startMs: number): Promise<LoadResult> {
    const loops: Promise<void>[] = [];
    for (let i = 0; i < this.plan.concurrency; i++) loops.push(this.loop(this.clients[i % this.clients.length]!, startMs, i));
    await Promise.all(loops);
    const instances: Record<string, number> = {};
    for (const c of this.clients) for (const i of c.instances()) instances[i.address] = (instances[i.address] ?? 0) + i.picks;
    return this.stats.result(this.connections, instances, nowMs() - startMs);
  }

  /** Lets every connection go. */
  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }

  /** One loop: takes call tickets until the run is over. */
  private async loop(client: GenericClient<string, string>, startMs: number, loopIndex: number): Promise<void> {
    const { total, intervalMs, method, skipFirst } = this.plan;
    const { shared, stats, callOptions, source } = this;
    const unary = this.plan.mode === 'unary' || this.plan.mode === 'pingpong';
    const deadline = this.plan.stopAfterMs === undefined ? Infinity : startMs + this.plan.stopAfterMs;
    const single = source.docs.length === 1 && !source.templated ? source.docs[0]! : undefined;
    const workerId = `w${this.plan.threadIndex}c${loopIndex}`;
    for (;;) {
      if (nowMs() >= deadline) return;
      const ticket = Atomics.add(shared, SHARED.TICKETS, 1);
      if (total !== undefined && ticket >= total) return;
      if (intervalMs > 0) {
        // Call starts are paced on one schedule for the whole run, not per loop or thread.
        const wait = startMs + ticket * intervalMs - nowMs();
        if (wait > 0) await sleep(wait);
      }
      const t0 = performance.now();
      let error: unknown;
      let ok = true;
      try {
        // The unary path inline: no extra async frame per call.
        if (unary) await client.genericCall(method, single ?? this.request(ticket, workerId), callOptions);
        else await this.streamCall(client, ticket, workerId);
      } catch (err) {
        ok = false;
        error = err;
      }
      const t1 = performance.now();
      stats.calls++;
      Atomics.add(shared, SHARED.FINISHED, 1);
      if (!ok) {
        stats.failures++;
        Atomics.add(shared, SHARED.FAILED, 1);
      }
      if (ticket < skipFirst) continue;
      stats.reported++;
      const atMs = performance.timeOrigin + t1 - startMs;
      if (ok) stats.succeeded(t1 - t0, atMs);
      else stats.failed(error, t1 - t0, atMs);
      if (unary) {
        // One request and one response per call, counted here rather than in the stream code.
        stats.messagesSent++;
        if (ok) stats.messagesReceived++;
      }
    }
  }

  /** The request of call `ticket` (or its `n`th stream message), filled in. */
  private request(ticket: number, workerId: string, n = 0): string {
    return this.source.request(this.plan.mode === 'client' || this.plan.mode === 'bidirectional' ? n : ticket, {
      requestNumber: ticket,
      workerId,
      method: this.plan.names,
    });
  }

  /** One streaming call; resolves when it completed, rejects with its error. */
  private async streamCall(client: GenericClient<string, string>, ticket: number, workerId: string): Promise<void> {
    const { method, streamMessages } = this.plan;
    const { stats, callOptions } = this;
    const reported = ticket >= this.plan.skipFirst;
    switch (this.plan.mode) {
      case 'server': {
        const stream = await client.serverStreaming(method, this.request(ticket, workerId), callOptions);
        if (reported) stats.messagesSent++;
        while ((await stream.recv()) !== undefined) if (reported) stats.messagesReceived++;
        return;
      }
      case 'client': {
        const stream = await client.clientStreaming(method, callOptions);
        for (let i = 0; i < streamMessages; i++) {
          await stream.send(this.request(ticket, workerId, i));
          if (reported) stats.messagesSent++;
        }
        await stream.closeAndRecv();
        if (reported) stats.messagesReceived++;
        return;
      }
      case 'bidirectional': {
        const stream = await client.bidiStreaming(method, callOptions);
        const receiving = (async () => {
          while ((await stream.recv()) !== undefined) if (reported) stats.messagesReceived++;
        })();
        try {
          for (let i = 0; i < streamMessages; i++) {
            await stream.send(this.request(ticket, workerId, i));
            if (reported) stats.messagesSent++;
          }
          stream.close();
        } catch (err) {
          receiving.catch(() => undefined); // the send error is the one reported
          throw err;
        }
        await receiving;
        return;
      }
      default:
        return;
    }
  }
}
