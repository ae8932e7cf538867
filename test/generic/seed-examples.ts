import type { GenericClient } from '../../src/index.js';

/** The seed's client examples, run through any client: what each returns, for exact assertions. */

/** Three sends, then closeAndRecv (the seed's client-streaming example). */
export async function runClientStreaming(cli: GenericClient<string, string>, method: string, texts: string[]): Promise<string> {
  const stream = await cli.clientStreaming(method);
  for (const t of texts) await stream.send(JSON.stringify({ message: t }));
  return stream.closeAndRecv();
}

/** One request, then recv until the clean end of stream (the seed's server-streaming example). */
export async function runServerStreaming(cli: GenericClient<string, string>, method: string, text: string): Promise<string[]> {
  const stream = await cli.serverStreaming(method, JSON.stringify({ message: text }));
  const out: string[] = [];
  for (let r = await stream.recv(); r !== undefined; r = await stream.recv()) out.push(r);
  expectEof(await stream.recv());
  return out;
}

/** Concurrent send and receive loops, then close (the seed's bidirectional example). */
export async function runBidi(cli: GenericClient<string, string>, method: string, texts: string[]): Promise<string[]> {
  const stream = await cli.bidiStreaming(method);
  const received: string[] = [];
  await Promise.all([
    (async () => {
      for (const t of texts) await stream.send(JSON.stringify({ message: t }));
      stream.close();
    })(),
    (async () => {
      for await (const r of stream) received.push(r);
    })(),
  ]);
  return received;
}

function expectEof(v: string | undefined): void {
  if (v !== undefined) throw new Error(`recv() after the end of stream returned ${v}`);
}

/** Parses JSON replies for comparison. */
export const parsed = (jsons: string[]): unknown[] => jsons.map((j) => JSON.parse(j));
