#!/usr/bin/python3
"""Raw-bytes gRPC test server (grpc-python) for idlcall's transport tests.

Service test.Echo with identity (de)serializers, so no IDL is needed:
  Unary          echoes the request
  ServerStream   sends the request back x-count times (default 3)
  ClientStream   answers the concatenation of all requests
  Bidi           echoes each message as it arrives
Request metadata x-* is echoed back as initial metadata (prefixed "echo-") and as
trailing metadata ("trail-"). x-fail-code: <n> ends the call with that status (message
from x-fail-message, plus a google.rpc.Status in grpc-status-details-bin). x-compress:
gzip|deflate compresses the responses.

Usage: grpc_raw_server.py [--tls CERT KEY] [--max-seconds N]
Prints the port on stdout, then serves until stdin closes or N seconds pass.
"""
import sys
import threading
import time
from concurrent import futures

import grpc


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _ld(field, data):
    return _varint((field << 3) | 2) + _varint(len(data)) + data


def _status_details(code, message):
    any_msg = _ld(1, b"type.googleapis.com/test.Detail") + _ld(2, b"\x08\x2a")
    return _varint(0x08) + _varint(code) + _ld(2, message.encode()) + _ld(3, any_msg)


_CODES = {c.value[0]: c for c in grpc.StatusCode}


def _prepare(context):
    md = {}
    for k, v in context.invocation_metadata():
        md[k] = v
    comp = md.get("x-compress")
    if comp == "gzip":
        context.set_compression(grpc.Compression.Gzip)
    elif comp == "deflate":
        context.set_compression(grpc.Compression.Deflate)
    echo = tuple(("echo-" + k[2:], v) for k, v in md.items() if k.startswith("x-"))
    context.send_initial_metadata(echo)
    trail = [("trail-" + k[2:], v) for k, v in md.items() if k.startswith("x-")]
    return md, trail


def _finish(context, md, trail):
    code = md.get("x-fail-code")
    if code is not None:
        n = int(code)
        msg = md.get("x-fail-message", "failed")
        trail.append(("grpc-status-details-bin", _status_details(n, msg)))
        context.set_trailing_metadata(tuple(trail))
        context.set_code(_CODES[n])
        context.set_details(msg)
        return True
    context.set_trailing_metadata(tuple(trail))
    return False


def unary(request, context):
    md, trail = _prepare(context)
    if _finish(context, md, trail):
        return b""
    return request


def server_stream(request, context):
    md, trail = _prepare(context)
    for _ in range(int(md.get("x-count", "3"))):
        yield request
    _finish(context, md, trail)


def client_stream(request_iterator, context):
    md, trail = _prepare(context)
    out = b"".join(request_iterator)
    if _finish(context, md, trail):
        return b""
    return out


def bidi(request_iterator, context):
    md, trail = _prepare(context)
    for m in request_iterator:
        yield m
    _finish(context, md, trail)


def main():
    args = sys.argv[1:]
    tls = None
    max_seconds = 120.0
    i = 0
    while i < len(args):
        if args[i] == "--tls":
            tls = (args[i + 1], args[i + 2])
            i += 3
        elif args[i] == "--max-seconds":
            max_seconds = float(args[i + 1])
            i += 2
        else:
            raise SystemExit("unknown argument " + args[i])
    handler = grpc.method_handlers_generic_handler(
        "test.Echo",
        {
            "Unary": grpc.unary_unary_rpc_method_handler(unary),
            "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
            "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream),
            "Bidi": grpc.stream_stream_rpc_method_handler(bidi),
        },
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    server.add_generic_rpc_handlers((handler,))
    if tls:
        with open(tls[0], "rb") as f:
            cert = f.read()
        with open(tls[1], "rb") as f:
            key = f.read()
        port = server.add_secure_port("127.0.0.1:0", grpc.ssl_server_credentials(((key, cert),)))
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()
    done = threading.Event()

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            done.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    done.wait(max_seconds)
    server.stop(0)


if __name__ == "__main__":
    main()
