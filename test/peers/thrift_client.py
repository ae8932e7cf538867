"""Apache Thrift's Python client driving a Thrift server through one scenario; prints JSON lines.

usage: thrift_client.py <kitchen.thrift> <port> <theader|framed|buffered> <binary|compact>

Stubs come from the Thrift compiler at start-up. Each line printed is {"call": ..., "result": ...}
or {"call": ..., "error": <exception class>, "fields": {...}}, in the order below.
"""
import json
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

from thrift.protocol import TBinaryProtocol, TCompactProtocol
from thrift.protocol.THeaderProtocol import THeaderProtocol
from thrift.transport import TSocket, TTransport
from thrift.transport.THeaderTransport import THeaderClientType, THeaderSubprotocolID

idl, port, transport_name, protocol_name = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
out = tempfile.mkdtemp(prefix="idlcall-thrift-client-")
atexit.register(shutil.rmtree, out, True)
subprocess.check_call(["thrift", "--gen", "py", "-I", os.path.dirname(idl), "-r", "-out", out, idl], stdout=subprocess.DEVNULL)
sys.path.insert(0, out)
from kitchen import KitchenService  # noqa: E402
from kitchen.ttypes import Item, Color, KitchenError  # noqa: E402
from base.ttypes import Tag, BaseError  # noqa: E402

sock = TSocket.TSocket("127.0.0.1", port)
sock.setTimeout(10000)
if transport_name == "theader":
    sub = THeaderSubprotocolID.COMPACT if protocol_name == "compact" else THeaderSubprotocolID.BINARY
    protocol = THeaderProtocol(sock, [THeaderClientType.HEADERS], sub)
    transport = protocol.trans
else:
    transport = TTransport.TFramedTransport(sock) if transport_name == "framed" else TTransport.TBufferedTransport(sock)
    protocol = (TCompactProtocol.TCompactProtocol if protocol_name == "compact" else TBinaryProtocol.TBinaryProtocol)(transport)
client = KitchenService.Client(protocol)
transport.open()


def value(v):
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, (set, frozenset)):
        return sorted(value(x) for x in v)
    if isinstance(v, list):
        return [value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): value(x) for k, x in v.items()}
    if hasattr(v, "thrift_spec"):
        return {k: value(x) for k, x in v.__dict__.items() if x is not None}
    return v


def run(name, fn):
    try:
        print(json.dumps({"call": name, "result": value(fn())}), flush=True)
    except (KitchenError, BaseError) as e:
        print(json.dumps({"call": name, "error": type(e).__name__, "fields": value(e)}), flush=True)
    except Exception as e:  # TApplicationException and transport errors
        print(json.dumps({"call": name, "error": type(e).__name__, "message": str(e)}), flush=True)


item = Item(name="soup", count=2 ** 53 + 1, tags=[Tag(key="hot", value=-1)], scores={"taste": 9.5},
            color=Color.RED, blob=b"\x00\xff", ids={3, 1, 2}, flag=True, small=-300, tiny=-7)
run("Ping", lambda: client.Ping("hello"))
run("Cook", lambda: client.Cook(item))
run("CookFails", lambda: client.Cook(Item(name="burnt")))
run("CookBaseFails", lambda: client.Cook(Item(name="base")))
run("Clean", lambda: client.Clean(3))
run("Notify", lambda: client.Notify("fire and forget"))
run("Count", lambda: client.Count([item, Item(name="x")], True))
run("Notes", lambda: client.Notes())
run("Unimplemented", lambda: client.Cook(Item(name="crash")))
transport.close()
