/** `--help` texts of the idlcall command and its subcommands, with examples. */

const EXIT_CODES = `Exit codes:
  0        success
  1        bad IDL, JSON, flags or files (a one-line message on stderr says what to fix)
  3        a Thrift method answered with a declared exception (throws); its JSON is printed on stdout
  64+code  the call failed with gRPC status <code> (grpcurl's convention):
           69 NOT_FOUND, 68 DEADLINE_EXCEEDED, 78 UNAVAILABLE, 76 UNIMPLEMENTED, …
`;

const CLIENT_OPTIONS = `  --idl FILE              the .proto or .thrift file (the extension says which)
  -I, --import-path DIR   where imports/includes are looked up (repeatable)
  -t, --transport T       grpc | ttheader | ttheader-unframed | framed | buffered | theader
                          (default grpc; Thrift ping-pong methods default to ttheader;
                          protobuf ping-pong takes ttheader or framed)
  -H, --header 'k: v'     request metadata (gRPC headers or TTHeader string info; repeatable)
  --timeout DUR           deadline for the call: 500ms, 2s, 1m
  --compress gzip         compress requests (grpc only; also deflate, identity)
  --tls                   TLS with the system's CAs (implied by the flags below)
  --cacert FILE           CA certificate (PEM) to verify the server with
  --cert FILE, --key FILE client certificate and key (PEM)
  --servername NAME       server name for SNI and verification
  --insecure              do not verify the server's certificate
  --emit-defaults         protobuf: print fields at their default values too
`;

/** `idlcall --help`. */
export const mainHelp = `idlcall — call gRPC and Thrift services from their .proto or .thrift file, JSON in and out

Usage: idlcall <command> [flags]

Commands:
  call      call a method: unary, ping-pong, client/server/bidirectional streaming
  list      list services and methods with their streaming modes
  describe  show a message, struct, enum or service as IDL text
  encode    JSON → wire bytes (protobuf binary, Thrift binary/compact)
  decode    wire bytes → JSON
  serve     run a mock server that echoes requests
  bench     load-test a method (like ghz), for every mode and transport

Run 'idlcall <command> --help' for the flags and examples of each.

Examples:
  idlcall list --idl echo.proto
  idlcall call 127.0.0.1:8888 pb.StreamingService/UnaryEcho --idl echo.proto -d '{"message":"hi"}'
  idlcall bench 127.0.0.1:8888 StreamingService/UnaryEcho --idl echo.proto -d '{"message":"hi"}' --total 10000

${EXIT_CODES}`;

/** `idlcall call --help`. */
export const callHelp = `Usage: idlcall call <host:port> <Service/Method> --idl FILE [flags]

Calls one method. The method's streaming mode comes from the IDL:
  unary, ping-pong, server streaming   one JSON request (-d); {} when -d is absent
  client, bidirectional streaming       JSON requests one after another (NDJSON: one per line),
                                        each sent as soon as it is read; with -d @- responses are
                                        printed while stdin still flows; one {} when -d is absent
Every response is printed as one JSON document per line, as it arrives.
Service may carry its package (search.gpt_engine.GPTStreamService/Ask), or be left out (Ask)
to use the file's last service.

Flags:
  -d, --data JSON|@FILE|@-  the request(s): inline JSON, a file, or stdin
  --format json|pretty      one line per response (default) or indented
  -v, --verbose             print response headers and trailers on stderr; ping-pong replies
                            have headers only (TTHeader info, THeader headers)
${CLIENT_OPTIONS}
Examples:
  idlcall call 127.0.0.1:8888 pb.StreamingService/UnaryEcho --idl streaming.proto -d '{"message":"hi"}'
  idlcall call 127.0.0.1:8888 StreamResponseEcho --idl streaming.proto -d @req.json --format pretty
  printf '{"message":"a"}\\n{"message":"b"}\\n' | idlcall call 127.0.0.1:8888 BidirectionalEcho --idl streaming.proto -d @-
  idlcall call 127.0.0.1:8888 TestService/EchoPingPong --idl streaming.thrift --transport framed -d '{"message":"hi"}'
  idlcall call 127.0.0.1:8888 Ask --idl gpt.proto -H 'x-user: me' --timeout 2s -v -d '{"prompt":"?"}'

${EXIT_CODES}`;

/** `idlcall list --help`. */
export const listHelp = `Usage: idlcall list --idl FILE [-I DIR]… [--json]

Lists the services of the file and their methods with streaming modes and types.

Flags:
  --idl FILE              the .proto or .thrift file
  -I, --import-path DIR   import/include directories (repeatable)
  --json                  one JSON document for scripts

Examples:
  idlcall list --idl streaming.proto
  idlcall list --idl api.thrift -I idl/common --json
`;

/** `idlcall describe --help`. */
export const describeHelp = `Usage: idlcall describe --idl FILE SYMBOL [-I DIR]…

Prints a message, struct, union, exception, enum, typedef, service or method as IDL text.
SYMBOL is a full name (pb.Request, base.Tag), a name in the main file (Request), or
Service.Method.

Examples:
  idlcall describe --idl streaming.proto pb.Request
  idlcall describe --idl streaming.thrift TestService
  idlcall describe --idl gpt.proto GPTStreamService.Ask
`;

/** `idlcall encode --help`. */
export const encodeHelp = `Usage: idlcall encode --idl FILE TYPE [-d JSON|@FILE|@-] [--out hex|base64|raw]

Encodes one JSON value of TYPE (a message or struct) to wire bytes, the way protoc --encode
does. Without -d the JSON is read from stdin.

Flags:
  -d, --data JSON|@FILE|@-   the value (default: stdin)
  --out hex|base64|raw       output form (default: hex on a terminal, raw when piped)
  --protocol binary|compact  Thrift protocol (default binary)
  -I, --import-path DIR      import/include directories (repeatable)

Examples:
  idlcall encode --idl streaming.proto pb.Request -d '{"message":"hi"}'
  idlcall encode --idl streaming.proto pb.Request -d @req.json --out raw > req.bin
  idlcall encode --idl streaming.thrift Request -d '{"message":"hi"}' --out base64
`;

/** `idlcall decode --help`. */
export const decodeHelp = `Usage: idlcall decode --idl FILE TYPE [--in hex|base64|raw] < bytes

Decodes wire bytes of TYPE read from stdin (or -d TEXT for hex/base64) to one JSON line.

Flags:
  --in hex|base64|raw        input form (default raw)
  -d, --data TEXT            hex or base64 text instead of stdin
  --protocol binary|compact  Thrift protocol (default binary)
  --format json|pretty       compact (default) or indented
  --emit-defaults            protobuf: print fields at their default values too
  -I, --import-path DIR      import/include directories (repeatable)

Examples:
  protoc --encode=pb.Request streaming.proto < req.txt | idlcall decode --idl streaming.proto pb.Request
  idlcall decode --idl streaming.proto pb.Request --in hex -d 0a026869
`;

/** `idlcall serve --help`. */
export const serveHelp = `Usage: idlcall serve --idl FILE --echo [--listen HOST:PORT] [--service NAME]

Runs the generic server as a mock of the file's service, over gRPC and the ping-pong
transports (TTHeader, Framed, Buffered, THeader) on one port. With --echo every method
answers with its request: unary and ping-pong requests are re-encoded as the response type
(fields the response type does not have are dropped), streams echo each message.
Prints the bound address (host:port) on stdout; stops on SIGINT or SIGTERM.

Flags:
  --echo                 answer each request with itself (the only behaviour so far)
  --listen HOST:PORT     where to listen (default 127.0.0.1:0: a free port)
  --service NAME         which service of the file (default: the last one)
  -v, --verbose          log each call on stderr
  -I, --import-path DIR  import/include directories (repeatable)

Examples:
  idlcall serve --idl streaming.proto --echo --listen 127.0.0.1:8888
  idlcall serve --idl streaming.thrift --echo
`;

/** `idlcall bench --help`. */
export const benchHelp = `Usage: idlcall bench <host:port> <Service/Method> --idl FILE -d JSON [flags]

Load-tests one method (in the manner of ghz), for every streaming mode and transport.
Requests go through the JSON generic like a real caller's. Reports calls/s (and messages/s
for streams), latency p50/p90/p99/p999/max, status-code counts, errors and the client's
CPU use. A live progress line is shown on a terminal only.

Flags:
  -d, --data JSON|@FILE       the request (for streams: sent --stream-messages times per call)
  -c, --concurrency N         calls in flight at once (default 50)
  --connections N             separate clients (connections) to spread calls over (default 1)
  -n, --total N               number of calls (default 200 unless --duration is given)
  -z, --duration DUR          run for this long instead (30s, 1m); calls in flight finish
  --rps N                     limit the rate of call starts (default: as fast as possible)
  --stream-messages N         requests per client/bidi call (default 10)
  --json                      print a JSON summary on stdout for scripts
${CLIENT_OPTIONS}
Examples:
  idlcall bench 127.0.0.1:8888 pb.StreamingService/UnaryEcho --idl streaming.proto -d '{"message":"hi"}' -c 64 -n 100000
  idlcall bench 127.0.0.1:8888 TestService/EchoPingPong --idl streaming.thrift -d '{"message":"hi"}' --transport ttheader -z 30s --json
  idlcall bench 127.0.0.1:8888 BidirectionalEcho --idl streaming.proto -d '{"message":"hi"}' --stream-messages 100

Exit code: 0 when the run completed (failed calls are counted in the summary), 1 for bad flags.
`;
