"""Apache Thrift (Debian python3-thrift) ping-pong server for idlcall's interop tests.

usage: thrift_pingpong_server.py GEN_DIR SERVICE TRANSPORT PROTOCOL
  GEN_DIR    directory holding `thrift --gen py` output for test/fixtures/ttheader/*.thrift
  SERVICE    kitchen | streaming
  TRANSPORT  framed | buffered | header   (header = THeaderProtocol, also accepting framed/unframed clients)
  PROTOCOL   binary | compact             (ignored for header: the client's choice is answered in kind)
Prints the listening port on its first stdout line; exits when stdin closes or after 120 s.
"""
import os
import sys
import threading

sys.path.insert(0, sys.argv[1])

from thrift.protocol import TBinaryProtocol, TCompactProtocol  # noqa: E402
from thrift.protocol.THeaderProtocol import THeaderProtocolFactory  # noqa: E402
from thrift.server import TServer  # noqa: E402
from thrift.transport import TSocket, TTransport  # noqa: E402
from thrift.transport.THeaderTransport import THeaderClientType  # noqa: E402

service, transport, protocol = sys.argv[2], sys.argv[3], sys.argv[4]


class KitchenHandler:
    def __init__(self):
        self.note = ""

    def Ping(self, msg):
        return "pong: " + msg

    def Echo(self, k):
        return k

    def Nothing(self, x):
        return None

    def Notify(self, note):
        self.note = note

    def LastNote(self):
        return self.note

    def Fail(self, code):
        from kitchen_base.ttypes import KitchenError
        if code > 0:
            raise KitchenError(code=code, message="boom")
        if code < 0:
            raise ValueError("handler crashed")
        return 0


class StreamingHandler:
    def _r(self, prefix, req):
        from streaming.ttypes import Response
        return Response(message=prefix + req.message)

    def Echo(self, req):
        return self._r("echo: ", req)

    def EchoClient(self, req):
        return self._r("client: ", req)

    def EchoServer(self, req):
        return self._r("server: ", req)

    def EchoUnary(self, req):
        return self._r("unary: ", req)

    def EchoPingPong(self, req):
        return self._r("server pong: ", req)


if service == "kitchen":
    from kitchen import KitchenService
    processor = KitchenService.Processor(KitchenHandler())
else:
    from streaming import TestService
    processor = TestService.Processor(StreamingHandler())

sock = TSocket.TServerSocket(host="127.0.0.1", port=0)
sock.listen()
port = sock.handle.getsockname()[1]
sock.listen = lambda: None  # already listening; TServer.serve() would re-bind

if transport == "header":
    tfactory = TTransport.TTransportFactoryBase()
    pfactory = THeaderProtocolFactory(allowed_client_types=(
        THeaderClientType.HEADERS,
        THeaderClientType.FRAMED_BINARY, THeaderClientType.UNFRAMED_BINARY,
        THeaderClientType.FRAMED_COMPACT, THeaderClientType.UNFRAMED_COMPACT,
    ))
else:
    tfactory = TTransport.TFramedTransportFactory() if transport == "framed" else TTransport.TBufferedTransportFactory()
    pfactory = TBinaryProtocol.TBinaryProtocolFactory() if protocol == "binary" else TCompactProtocol.TCompactProtocolFactory()

server = TServer.TThreadedServer(processor, sock, tfactory, pfactory, daemon=True)


def watch_stdin():
    try:
        while sys.stdin.read(1024):
            pass
    finally:
        os._exit(0)


threading.Thread(target=watch_stdin, daemon=True).start()
threading.Timer(120, lambda: os._exit(0)).start()
print(port, flush=True)
server.serve()
