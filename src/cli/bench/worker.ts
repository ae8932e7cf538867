/**
 * A bench worker thread (`idlcall bench --cpus N`): loads the IDL, makes its
 * own clients and connections, says it is ready, runs its share of the load
 * from the common start it is given, and sends back what it measured.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { printConnection } from '../connect.js';
import { jsonGenericOf, loadIdlSpec, type IdlSpec } from '../idl.js';
import { Load, type LoadPlan, type LoadResult } from './load.js';

/** What the main thread gives a worker. */
export interface WorkerInput {
  readonly idl: IdlSpec;
  readonly service: string | undefined;
  readonly emitDefaults: boolean;
  readonly plan: LoadPlan;
  readonly shared: Int32Array;
  /** `-v`: print each connection's story. */
  readonly verbose: boolean;
}

/** Messages from a worker. */
export type WorkerMessage = { kind: 'ready' } | { kind: 'done'; result: LoadResult } | { kind: 'failed'; message: string };

async function main(): Promise<void> {
  const port = parentPort!;
  const input = workerData as WorkerInput;
  try {
    const idl = await loadIdlSpec(input.idl, 'bench', input.service, { emitDefaults: input.emitDefaults });
    const load = new Load(withBuffers(input.plan), jsonGenericOf(idl, { emitDefaults: input.emitDefaults }), input.shared, input.verbose ? printConnection : undefined);
    // `on`, not `once`: the listener keeps the thread alive after it answered, until the main
    // thread has read the answer and ends it (an exit could otherwise overtake the message).
    let started = false;
    port.on('message', (startMs: number) => {
      if (started) return;
      started = true;
      load.run(startMs).then(
        async (result) => {
          await load.close();
          port.postMessage({ kind: 'done', result } satisfies WorkerMessage);
        },
        (err: unknown) => port.postMessage({ kind: 'failed', message: String(err instanceof Error ? err.stack : err) } satisfies WorkerMessage),
      );
    });
    port.postMessage({ kind: 'ready' } satisfies WorkerMessage);
  } catch (err) {
    port.postMessage({ kind: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage);
  }
}

/** TLS material arrives as Uint8Array (structured clone); node's TLS wants Buffers. */
function withBuffers(plan: LoadPlan): LoadPlan {
  const tls = plan.clientOptions.tls;
  if (typeof tls !== 'object') return plan;
  const buf = (v: unknown): Buffer | string | undefined => (v instanceof Uint8Array ? Buffer.from(v) : (v as string | undefined));
  const fixed = { ...tls, ca: buf(tls.ca), cert: buf(tls.cert), key: buf(tls.key) };
  for (const k of ['ca', 'cert', 'key'] as const) if (fixed[k] === undefined) delete fixed[k];
  return { ...plan, clientOptions: { ...plan.clientOptions, tls: fixed } };
}

void main();
