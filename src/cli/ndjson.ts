/**
 * Splits a stream of text into JSON documents as the bytes arrive: NDJSON
 * (one document per line) and pretty-printed documents one after another
 * both work. Each document is yielded as soon as its last character is
 * read, so a client or bidirectional stream sends while stdin still flows.
 * Validation is left to the codec, which reports field paths.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Incremental splitter: push text, take complete documents. */
export class JsonDocumentSplitter {
  private buf = '';
  private pos = 0;
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** A top-level scalar (number, true, null…) is being read. */
  private inScalar = false;

  /** Adds text and returns the documents it completed. */
  push(text: string): string[] {
    this.buf += text;
    const docs: string[] = [];
    const b = this.buf;
    for (let i = this.pos; i < b.length; i++) {
      const c = b.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.depth === 0) this.emit(docs, i + 1);
        }
        continue;
      }
      if (this.inScalar) {
        if (isSpace(c) || c === 0x7b || c === 0x5b || c === 0x22) {
          this.emit(docs, i);
          i--; // re-read the delimiter as the start of what follows
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.start < 0) this.start = i;
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth <= 0) this.emit(docs, i + 1);
      } else if (this.depth === 0) this.inScalar = true;
    }
    this.pos = b.length;
    // Drop consumed text so a long stream does not grow the buffer.
    if (this.start < 0) {
      this.buf = '';
      this.pos = 0;
    } else if (this.start > 0) {
      this.buf = this.buf.slice(this.start);
      this.pos -= this.start;
      this.start = 0;
    }
    return docs;
  }

  /** Ends the input: returns the last document, if one was open (an incomplete one is passed on for the codec to reject). */
  end(): string[] {
    if (this.start < 0) return [];
    const rest = this.buf.slice(this.start).trim();
    this.buf = '';
    this.start = -1;
    return rest ? [rest] : [];
  }

  private emit(docs: string[], endExclusive: number): void {
    docs.push(this.buf.slice(this.start, endExclusive));
    this.start = -1;
    this.depth = 0;
    this.inScalar = false;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Where request documents come from: `-d` text, `-d @FILE` or `-d @-` (stdin). */
export type DataSource = { kind: 'text'; text: string } | { kind: 'file'; path: string } | { kind: 'stdin' };

/** Interprets a `-d` value. */
export function dataSource(value: string | undefined): DataSource | undefined {
  if (value === undefined) return undefined;
  if (value === '@-') return { kind: 'stdin' };
  if (value.startsWith('@')) return { kind: 'file', path: value.slice(1) };
  return { kind: 'text', text: value };
}

/** Text chunks of a source as they arrive. */
export async function* chunksOf(source: DataSource): AsyncGenerator<string, void, undefined> {
  if (source.kind === 'text') {
    yield source.text;
    return;
  }
  const stream = source.kind === 'stdin' ? process.stdin : createReadStream(source.path);
  const decoder = new StringDecoder('utf8');
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield decoder.write(chunk);
    yield decoder.end();
  } finally {
    // Stop reading stdin when the call ended first (e.g. the server failed it).
    if (source.kind === 'stdin') process.stdin.pause();
  }
}

/** JSON documents of a source, each yielded as soon as it is complete. */
export async function* documentsOf(source: DataSource): AsyncGenerator<string, void, undefined> {
  const splitter = new JsonDocumentSplitter();
  for await (const chunk of chunksOf(source)) yield* splitter.push(chunk);
  yield* splitter.end();
}

/** The whole source as one text. */
export async function readAll(source: DataSource): Promise<string> {
  let text = '';
  for await (const chunk of chunksOf(source)) text += chunk;
  return text;
}
