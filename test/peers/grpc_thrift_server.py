"""A grpc-python server speaking Thrift over gRPC for the seed streaming.thrift (TestService).

Messages are (de)serialized by Apache Thrift's Python TBinaryProtocol, with stubs generated at
start-up by the Thrift compiler, following Kitex's rules: streaming methods carry the bare
Request/Response structs; unary (streaming.mode="unary") and ping-pong methods carry the
<Method>_args / <Method>_result structs. Prints its port, then serves until stdin closes or 300 s.

Replies, as the Kitex example server gives them:
  Echo (bidi)      -> "server echo: <m>" per request
  EchoClient       -> "server received <n> messages"
  EchoServer       -> "server streaming response <i> for request: <m>", i = 0..2
  EchoUnary        -> "server unary: <m>"
  EchoPingPong     -> "server pong: <m>"
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent import futures

import grpc
from grpc_serve import serve_until_stdin_closes
from thrift.protocol import TBinaryProtocol
from thrift.TSerialization import deserialize, serialize

idl = sys.argv[1]
out = tempfile.mkdtemp(prefix="idlcall-thrift-")
atexit.register(shutil.rmtree, out, True)
subprocess.check_call(["thrift", "--gen", "py", "-out", out, idl], stdout=subprocess.DEVNULL)
sys.path.insert(0, out)
module = os.path.splitext(os.path.basename(idl))[0]
ttypes = __import__(module + ".ttypes", fromlist=["ttypes"])
service = __import__(module + ".TestService", fromlist=["TestService"])
factory = TBinaryProtocol.TBinaryProtocolFactory()


def reader(cls):
    return lambda data: deserialize(cls(), data, factory)


def writer(obj):
    return serialize(obj, factory)


def Response(m):
    return ttypes.Response(message=m)


def echo(request_iterator, context):
    for r in request_iterator:
        yield Response("server echo: " + r.message)


def echo_client(request_iterator, context):
    n = sum(1 for _ in request_iterator)
    return Response("server received %d messages" % n)


def echo_server(request, context):
    for i in range(3):
        yield Response("server streaming response %d for request: %s" % (i, request.message))


def echo_unary(args, context):
    return service.EchoUnary_result(success=Response("server unary: " + args.req.message))


def echo_ping_pong(args, context):
    return service.EchoPingPong_result(success=Response("server pong: " + args.req.message))


handlers = {
    "Echo": grpc.stream_stream_rpc_method_handler(echo, reader(ttypes.Request), writer),
    "EchoClient": grpc.stream_unary_rpc_method_handler(echo_client, reader(ttypes.Request), writer),
    "EchoServer": grpc.unary_stream_rpc_method_handler(echo_server, reader(ttypes.Request), writer),
    "EchoUnary": grpc.unary_unary_rpc_method_handler(echo_unary, reader(service.EchoUnary_args), writer),
    "EchoPingPong": grpc.unary_unary_rpc_method_handler(echo_ping_pong, reader(service.EchoPingPong_args), writer),
}

server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("TestService", handlers),))
serve_until_stdin_closes(server)
