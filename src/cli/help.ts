/** `--help` texts of the idlcall command and its subcommands, with examples. */
import { aliasTable } from './aliases.js';

const EXIT_CODES = `Exit codes:
  0        success
  1        bad IDL, JSON, flags or files (a one-line message on stderr says what to fix)
  2        bench: the run finished but more calls failed than --max-error-rate allows
  3        a Thrift method answered with a declared exception (throws); its JSON is printed on stdout
  64+code  the call failed with gRPC status <code> (grpcurl's convention), always 65–80:
           69 NOT_FOUND, 68 DEADLINE_EXCEEDED, 78 UNAVAILABLE, 76 UNIMPLEMENTED, …;
           a status outside 1–16 (Kitex's own codes, a server's invention) exits 66, UNKNOWN
`;

const TARGETS = `Targets:
  HOST:PORT                          one address (several with -e, used in turn)
  dns:///HOST:PORT                   every A/AAAA address of HOST (looked up again every 30 s)
  etcd://HOST:PORT[,HOST:PORT]/NAME  the instances of service NAME in Kitex's etcd registry
                                     (kitex/registry-etcd/NAME/…), spread by weight
`;

const SCHEMA_OPTIONS = `  --idl FILE              the .proto or .thrift file (the extension says which, else --type)
  --type thrift|protobuf  the IDL kind, for a file named otherwise (kitexcall's -type)
  -I, --import-path DIR   where imports/includes are looked up (repeatable); the file's own
                          directory and the current one are searched too
  --protoset FILE         a descriptor set (protoc -o, buf build -o) instead of --idl;
                          repeatable, the sets are merged
`;

const CONNECTION_OPTIONS = `  -H, --header 'k: v'     request metadata (repeatable)
  --authority NAME        HTTP/2 :authority (default: the target's host:port)
  --timeout DUR           deadline: 500ms, 2s, 1m, or seconds (1.5)
  --connect-timeout DUR   time allowed to connect
  --plaintext             HTTP/2 without TLS: the default
  --tls                   TLS with the system's CAs (implied by the flags below)
  --cacert FILE           CA certificate (PEM) to verify the server with
  --cert FILE, --key FILE client certificate and key (PEM)
  --servername NAME       server name for SNI and verification
  --insecure              TLS without verifying the server's certificate
`;

const REFLECTION_NOTE = `Without --idl or --protoset the schema comes from the server's gRPC reflection
(grpc.reflection.v1, else v1alpha), as grpcurl does; a server without reflection is an error
(exit 1) that asks for --idl or --protoset.`;

const CLIENT_OPTIONS = `Flags of every call:
${SCHEMA_OPTIONS}  --transport T           grpc | ttstream | ttheader | ttheader-unframed | framed | buffered | theader
                          (default grpc; Thrift ping-pong methods default to ttheader;
                          protobuf ping-pong takes ttheader or framed; ttstream is Kitex's
                          TTHeader Streaming for Thrift streams, ping-pong then goes framed);
                          kitexcall's names TTHeader, TTHeaderFramed, Framed, Buffered, GRPC work too
  -t T|TYPE|DUR           --transport T, or --type for thrift|protobuf, or --timeout for 2s
  -H, --header 'k: v'     request metadata (gRPC headers or TTHeader string info; repeatable);
                          reserved names (host, content-type, te, grpc-*) are refused
  --metadata JSON         request metadata as a JSON object (ghz), or --metadata-file FILE
  --meta K=V              Kitex transient metainfo (TTHeader RPC_TRANSIT_K; gRPC rpc-transit-k)
  --meta-persistent K=V   Kitex persistent metainfo (TTHeader RPC_PERSIST_K; gRPC rpc-persist-k)
  --meta-backward         print the backward metainfo the server sent back (stderr)
  --authority NAME        HTTP/2 :authority (default: the target's host:port, as grpcurl,
                          ghz and grpc-go send it; Kitex clients send the service name,
                          and so does an etcd:// target)
  --timeout DUR           deadline for each call: 500ms, 2s, 1m, or seconds (1.5)
  --connect-timeout DUR   time allowed to connect (default 10s for gRPC, 5s for ping-pong)
  --keepalive DUR         HTTP/2 keepalive pings while calls are active
  --max-msg-size N        largest response message accepted (default 4MB)
  --compress gzip         compress requests (grpc only; also deflate, identity)
  --plaintext             HTTP/2 without TLS: the default (grpcurl users type it)
  --tls                   TLS with the system's CAs (implied by the flags below)
  --cacert FILE           CA certificate (PEM) to verify the server with
  --cert FILE, --key FILE client certificate and key (PEM)
  --servername NAME       server name for SNI and verification
  --insecure              TLS without verifying the server's certificate (grpcurl's meaning;
                          in bench, --insecure is ghz's plaintext and --skipTLS this)
  --emit-defaults         protobuf: print fields at their default values too
  --service-config JSON|@FILE  gRPC service config: retryPolicy, hedgingPolicy and timeout per
                          method (methodConfig), retryThrottling
  -v, --verbose           print how each connection went (resolved address, ALPN, TLS peer)
                          and, with a retry or hedging policy, each attempt of a call
`;

/** `idlcall --help`. */
export const mainHelp = `idlcall — call gRPC and Thrift services from their .proto or .thrift file, JSON in and out

Usage: idlcall <command> [flags]

Commands:
  call      call a method: unary, ping-pong, client/server/bidirectional streaming
  list      list services and methods with their streaming modes
  describe  show a message, struct, enum or service as IDL text (every service without a name)
  encode    JSON → wire bytes (protobuf binary, Thrift binary/compact)
  decode    wire bytes → JSON
  serve     run a mock server that echoes requests (with gRPC health and reflection)
  bench     load-test a method (like ghz) on every core, for every mode and transport
  health    check a server's grpc.health.v1 status (grpc_health_probe's exit codes)

Run 'idlcall <command> --help' for the flags and examples of each. Flags are written
--name value, --name=value, or Go-style -name value as grpcurl and kitexcall take them.

Examples:
  idlcall list --idl echo.proto
  idlcall list 127.0.0.1:8888                      (by the server's reflection)
  idlcall call 127.0.0.1:8888 pb.StreamingService/UnaryEcho --idl echo.proto -d '{"message":"hi"}'
  idlcall health 127.0.0.1:8888
  idlcall call -p echo.thrift -e 127.0.0.1:8888 -m TestService/Echo -transport TTHeader -d '{"message":"hi"}'
  idlcall bench 127.0.0.1:8888 StreamingService/UnaryEcho --idl echo.proto -d '{"message":"hi"}' -n 10000 -O html -o report.html

${aliasTable()}
${EXIT_CODES}`;

/** `idlcall call --help`. */
export const callHelp = `Usage: idlcall call <target> <Service/Method> [--idl FILE | --protoset FILE] [flags]
       idlcall call -e HOST:PORT -m Service/Method -p FILE [flags]     (kitexcall's spelling)

Calls one method. The method's streaming mode comes from the IDL:
  unary, ping-pong, server streaming   one JSON request (-d); {} when -d is absent
  client, bidirectional streaming       JSON requests one after another: NDJSON (one per line),
                                        objects glued together, or a JSON array of them; each
                                        is sent as soon as it is read; with -d @- responses are
                                        printed while stdin still flows; one {} when -d is absent
Every response is printed as one JSON document per line, as it arrives.
Service may carry its package (search.gpt_engine.GPTStreamService/Ask), or be left out (Ask)
to use the file's last service.
${REFLECTION_NOTE}

${TARGETS}
Flags:
  -d, --data JSON|@FILE|@-  the request(s): inline JSON, a file, or stdin (also -d @)
  -e, --endpoint HOST:PORT  the target, instead of the first argument (repeatable)
  -m, --method S/M          the method, instead of the second argument
  --format json|pretty      one line per response (default) or indented
  --format-error            print an error status as JSON on stderr (grpcurl)
  -v, --verbose             also print response headers and trailers on stderr; ping-pong
                            replies have headers only (TTHeader info, THeader headers)
${CLIENT_OPTIONS}
Examples:
  idlcall call 127.0.0.1:8888 pb.StreamingService/UnaryEcho --idl streaming.proto -d '{"message":"hi"}'
  idlcall call 127.0.0.1:8888 StreamResponseEcho --idl streaming.proto -d @req.json --format pretty
  printf '{"message":"a"}\\n{"message":"b"}\\n' | idlcall call 127.0.0.1:8888 BidirectionalEcho --idl streaming.proto -d @-
  idlcall call 127.0.0.1:8888 TestService/EchoPingPong --idl streaming.thrift --transport framed -d '{"message":"hi"}'
  idlcall call 127.0.0.1:8888 EchoPingPong --idl streaming.thrift --meta-persistent tenant=t1 --meta-backward -d '{}'
  idlcall call 127.0.0.1:8443 Ask --idl gpt.proto --cacert ca.pem -H 'x-user: me' --timeout 2s -v -d '{"prompt":"?"}'
  idlcall call 127.0.0.1:8888 grpc.testing.TestService/UnaryCall -d '{"responseSize":4}'   (reflection)
  idlcall call 127.0.0.1:8888 pb.StreamingService/UnaryEcho --protoset streaming.pb -d '{}'
  idlcall call etcd://127.0.0.1:2379/echo pb.StreamingService/UnaryEcho --idl streaming.proto -d '{"message":"hi"}'

${EXIT_CODES}`;

/** `idlcall list --help`. */
export const listHelp = `Usage: idlcall list [<host:port>] [--idl FILE | --protoset FILE]… [-I DIR]… [--json]

Lists services and their methods with streaming modes and types: the main file's services
(--idl), every service of the descriptor sets (--protoset), or, given only <host:port>, the
services the server lists by gRPC reflection.
${REFLECTION_NOTE}

Flags:
${SCHEMA_OPTIONS}  --json                  one JSON document for scripts
${CONNECTION_OPTIONS}
Examples:
  idlcall list --idl streaming.proto
  idlcall list --idl api.thrift -I idl/common --json
  idlcall list --protoset api.pb
  idlcall list 127.0.0.1:8888
`;

/** `idlcall describe --help`. */
export const describeHelp = `Usage: idlcall describe [<host:port>] [SYMBOL] [--idl FILE | --protoset FILE]… [--protoset-out OUT.pb]

Prints a message, struct, union, exception, enum, typedef, service or method as IDL text;
without a SYMBOL, every service (those list shows, as grpcurl describes every service).
SYMBOL is a full name (pb.Request, base.Tag), a name in the main file (Request), or
Service.Method.
${REFLECTION_NOTE}

Flags:
${SCHEMA_OPTIONS}  --protoset-out FILE     also write the descriptors as a descriptor set (protobuf): the file
                          declaring SYMBOL and its imports, or every file without SYMBOL
${CONNECTION_OPTIONS}
Examples:
  idlcall describe --idl streaming.proto
  idlcall describe --idl streaming.proto pb.Request
  idlcall describe --idl streaming.thrift TestService
  idlcall describe --idl gpt.proto GPTStreamService.Ask
  idlcall describe --idl gpt.proto --protoset-out gpt.pb
  idlcall describe 127.0.0.1:8888 grpc.testing.SimpleRequest
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
  --protoset FILE            a descriptor set instead of --idl (repeatable)

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
  --protoset FILE            a descriptor set instead of --idl (repeatable)

Examples:
  protoc --encode=pb.Request streaming.proto < req.txt | idlcall decode --idl streaming.proto pb.Request
  idlcall decode --idl streaming.proto pb.Request --in hex -d 0a026869
`;

/** `idlcall serve --help`. */
export const serveHelp = `Usage: idlcall serve (--idl FILE | --protoset FILE) --echo [--listen HOST:PORT] [--service NAME] [--tls --cert FILE --key FILE]

Runs the generic server as a mock of the file's service, over gRPC, Kitex's TTHeader
Streaming (Thrift) and the ping-pong transports (TTHeader, Framed, Buffered, THeader) on one
port, with gRPC health (grpc.health.v1) and server reflection (v1 and v1alpha) beside it.
With --echo every method answers with its request: unary and ping-pong requests are
re-encoded as the response type (fields the response type does not have are dropped),
streams echo each message.
Prints the bound address (host:port) on stdout; stops on SIGINT or SIGTERM.

Flags:
  --echo                 answer each request with itself (the only behaviour so far)
  --listen HOST:PORT     where to listen (default 127.0.0.1:0: a free port)
  --service NAME         which service of the file (default: the last one)
  --tls                  serve gRPC over TLS (then the port speaks nothing else)
  --cert FILE, --key FILE  the server certificate and its key (PEM); they imply --tls
  -v, --verbose          log each call on stderr: peer, method, status, request metadata
${SCHEMA_OPTIONS}
Examples:
  idlcall serve --idl streaming.proto --echo --listen 127.0.0.1:8888
  idlcall serve --idl streaming.thrift --echo -v
  idlcall serve --idl streaming.proto --echo --tls --cert server.pem --key server.key
`;

/** `idlcall health --help`. */
export const healthHelp = `Usage: idlcall health <host:port> [SERVICE] [flags]

Asks the server's grpc.health.v1.Health/Check for SERVICE (default "": the server as a
whole) and prints "status: <STATUS>". The exit codes are grpc_health_probe's, so it fits the
same Kubernetes probes and scripts:
  0  SERVING
  1  bad arguments
  2  no connection (refused, timed out, not an HTTP/2 server); the cause on stderr
  3  the check failed (an RPC error, e.g. UNIMPLEMENTED: no health service; NOT_FOUND: unknown SERVICE)
  4  not serving (NOT_SERVING, UNKNOWN, SERVICE_UNKNOWN)

Flags (--timeout and --connect-timeout default to 5s):
${CONNECTION_OPTIONS}
Examples:
  idlcall health 127.0.0.1:8888
  idlcall health 127.0.0.1:8888 pb.StreamingService --timeout 1s
`;

/** `idlcall bench --help`. */
export const benchHelp = `Usage: idlcall bench <target> <Service/Method> --idl FILE -d JSON [flags]

Load-tests one method in the manner of ghz, for every streaming mode and transport, on every
core: --cpus worker threads, each with its own clients and connections, share the load and
their measurements are merged into one report (histograms added bucket by bucket, so the
percentiles are those of all calls). Requests go through the JSON generic like a real
caller's. The report has calls/s (and messages/s for streams), the latency histogram and
distribution, status codes, errors and the client's own CPU per call. A live progress line
is shown on a terminal only. A dns: or etcd:// target spreads the calls over the instances it
resolves to, and the report counts the calls each received.

${TARGETS}
Flags:
  -d, --data JSON|@FILE|@-    the request; several (NDJSON, glued objects or a JSON array) are
                              used round-robin, or as each stream's messages; ghz templates
                              {{.RequestNumber}} {{.TimestampUnix}} {{.UUID}} {{.WorkerID}}
                              {{.Timestamp}} {{.TimestampUnixMilli}} {{.TimestampUnixNano}}
                              {{.MethodName}} {{.ServiceName}}… are filled in per call
  -D, --data-file FILE        requests from a file (NDJSON), used round-robin
  -c, --concurrency N         calls in flight at once, across threads (default 50)
  --cpus N                    worker threads (default: every core; at most the concurrency)
  --connections N             clients (each with its own connections) across threads
                              (default 1, at least one per thread)
  -n, --total N               number of calls (default 200 unless --duration is given)
  -z, --duration DUR          run for this long instead (30s, 1m); calls in flight finish
  -x, --max-duration DUR      stop after this long even if --total is not reached
  -r, --rps N                 limit the rate of call starts (default: as fast as possible)
  --stream-messages N         requests per client/bidi call (default: the requests given
                              when several, else 10)
  --skip-first N              leave the first N calls out of the report (warm-up)
  --count-errors              include failed calls in the latency statistics
  --max-error-rate R          exit 2 when more than this share of calls failed (0–1,
                              default 0: any failed call fails the run, as a CI gate should)
  -O, --format F              summary (default) | json | pretty | csv | html |
                              influx-summary | influx-details | prometheus
  --json                      the same as --format json
  -o, --output FILE           write the report to FILE instead of stdout
  --name TEXT                 a name for the run, shown in the report
  -m, --metadata JSON         request metadata as a JSON object (ghz); also -H 'k: v'
  -e, --enable-compression    gzip requests (ghz); also --compress gzip|deflate
  --insecure                  plaintext (ghz's meaning; the default anyway); --skipTLS: TLS
                              without verifying the server
${CLIENT_OPTIONS}
Examples:
  idlcall bench 127.0.0.1:8888 pb.StreamingService/UnaryEcho --idl streaming.proto -d '{"message":"hi"}' -c 64 -n 100000
  idlcall bench 127.0.0.1:8888 TestService/EchoPingPong --idl streaming.thrift -d '{"message":"{{.UUID}}"}' --transport ttheader -z 30s -O json
  idlcall bench dns:///echo.internal:8888 pb.StreamingService/UnaryEcho --idl streaming.proto -d '{"message":"hi"}' -n 10000
  idlcall bench 127.0.0.1:8888 BidirectionalEcho --idl streaming.proto -d '[{"message":"a"},{"message":"b"}]' -O html -o report.html
  idlcall bench 127.0.0.1:8888 UnaryEcho --idl streaming.proto -D requests.ndjson --cpus 2 --skip-first 1000 -O prometheus

${EXIT_CODES}`;
