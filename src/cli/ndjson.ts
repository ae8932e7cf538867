/**
 * Splits a stream of text into JSON documents as the bytes arrive: NDJSON
 * (one document per line), documents glued together (grpcurl),
 * pretty-printed documents one after another, and a JSON array whose
 * elements are the documents (ghz; so a message whose JSON form is itself an
 * array, such as google.protobuf.ListValue, is wrapped in an outer array).
 * Each document is yielded as soon as its last character is read, so a
 * client or bidirectional stream sends while stdin still flows. Validation
 * is left to the codec, which reports field paths.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { CliUsageError } from './exit-codes.js';

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/** Incremental splitter: push text, take complete documents. */
export class JsonDocumentSplitter {
  private buf = '';
  private pos = 0;
  private start = -1;
  private depth = 0;
  /** 1 while inside a top-level array whose elements are the documents, else 0. */
  private base = 0;
  private inString = false;
  private escaped = false;
  /** A scalar (number, true, null…) is being read. */
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
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === this.base) this.emit(docs, i + 1);
        }
        continue;
      }
      if (this.inScalar) {
        if (isSpace(c) || c === OPEN_OBJECT || c === OPEN_ARRAY || c === QUOTE || (this.base === 1 && (c === COMMA || c === CLOSE_ARRAY))) {
          this.emit(docs, i);
          i--; // re-read the delimiter as what follows
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.start < 0) {
        // Between documents: array brackets and commas of a top-level array are not documents.
        if (this.base === 1 && (c === COMMA || c === CLOSE_ARRAY)) {
          if (c === CLOSE_ARRAY) this.base = this.depth = 0;
          continue;
        }
        if (this.base === 0 && c === OPEN_ARRAY) {
          this.base = this.depth = 1;
          continue;
        }
        this.start = i;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.depth++;
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.depth--;
        if (this.depth <= this.base) this.emit(docs, i + 1);
      } else if (this.depth === this.base) this.inScalar = true;
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
    this.depth = this.base;
    this.inScalar = false;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Where request documents come from: `-d` text, `-d @FILE` or `-d @-` / `-d @` (stdin). */
export type DataSource = { kind: 'text'; text: string } | { kind: 'file'; path: string; flag: string } | { kind: 'stdin' };

/** Interprets a `-d` value: `@-` and grpcurl's `@` read stdin, `@FILE` a file. */
export function dataSource(value: string | undefined): DataSource | undefined {
  if (value === undefined) return undefined;
  if (value === '@-' || value === '@') return { kind: 'stdin' };
  if (value.startsWith('@')) return fileSource(value.slice(1), `-d ${value}`);
  return { kind: 'text', text: value };
}

/** A file of requests; `flag` names it in messages (`-d @req.json`, `--data-file req.ndjson`). */
export function fileSource(path: string, flag: string): DataSource {
  return { kind: 'file', path, flag };
}

/** Text chunks of a source as they arrive. A file that cannot be read is a usage error naming it. */
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
  } catch (err) {
    if (source.kind === 'file') throw new CliUsageError(`${source.flag}: ${fileProblem(err)}`);
    throw err;
  } finally {
    // Stop reading stdin when the call ended first (e.g. the server failed it).
    if (source.kind === 'stdin') process.stdin.pause();
  }
}

/** A file system error in words. */
export function fileProblem(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return `cannot read it (${(err as Error).message})`;
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
