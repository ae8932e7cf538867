"""A grpc-python server for test/fixtures/governance/flaky.proto: calls that fail on purpose.

Stubs are generated at start-up with grpc_tools into a temporary directory. Prints the port it
listens on (127.0.0.1) as its first line, then serves until stdin closes or 300 s pass.

Per request key it counts calls and keeps each call's grpc-previous-rpc-attempts header:
  Unary(req)    -> the first fail_first calls fail with `code` (and grpc-retry-pushback-ms =
                   pushback when given); later ones answer {text, call} after delay_ms, noting
                   a cancellation by the client during the delay
  Stream(req)   -> one response, then (for the first fail_first calls) the failure
  Collect(reqs) -> reads every request; the first fail_first calls fail, later ones answer
                   the texts joined with ","
  Calls(req)    -> {calls, previous[], cancelled} of the key
"""
import sys
import threading
import time
from concurrent import futures

import grpc
from grpc_serve import serve_until_stdin_closes
from grpc_stubs import load_stubs

pb2, pb2_grpc = load_stubs(sys.argv[1], "idlcall-flaky-")

lock = threading.Lock()
logs = {}


def note(key, context):
    """Counts a call of `key`; returns its number (1-based)."""
    previous = dict(context.invocation_metadata()).get("grpc-previous-rpc-attempts", "")
    with lock:
        log = logs.setdefault(key, {"calls": 0, "previous": [], "cancelled": 0})
        log["calls"] += 1
        log["previous"].append(previous)
        return log["calls"]


CODES = {s.value[0]: s for s in grpc.StatusCode}


def fail(req, context):
    if req.pushback:
        context.set_trailing_metadata((("grpc-retry-pushback-ms", req.pushback),))
    with lock:
        n = logs[req.key]["calls"]
    context.abort(CODES[req.code], "failure #%d" % n)


class Service(pb2_grpc.FlakyServicer):
    def Unary(self, req, context):
        n = note(req.key, context)
        if n <= req.fail_first:
            fail(req, context)
        deadline = time.monotonic() + req.delay_ms / 1000.0
        while time.monotonic() < deadline:
            if not context.is_active():
                with lock:
                    logs[req.key]["cancelled"] += 1
                return pb2.Res()
            time.sleep(0.005)
        return pb2.Res(text=req.text, call=n)

    def Stream(self, req, context):
        n = note(req.key, context)
        yield pb2.Res(text=req.text, call=n)
        if n <= req.fail_first:
            fail(req, context)

    def Collect(self, reqs, context):
        texts = []
        first = None
        for r in reqs:
            first = first or r
            texts.append(r.text)
        n = note(first.key, context)
        if n <= first.fail_first:
            fail(first, context)
        return pb2.Res(text=",".join(texts), call=n)

    def Calls(self, req, context):
        with lock:
            log = logs.get(req.key, {"calls": 0, "previous": [], "cancelled": 0})
            return pb2.Log(calls=log["calls"], previous=log["previous"], cancelled=log["cancelled"])


server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
pb2_grpc.add_FlakyServicer_to_server(Service(), server)
serve_until_stdin_closes(server)
