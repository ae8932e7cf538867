"""A grpc-python server for test/fixtures/generic/gpt_engine.proto (package search.gpt_engine).

Stubs are generated at start-up with grpc_tools into a temporary directory. Prints the port it
listens on (127.0.0.1) as its first line, then serves until stdin closes or 300 s pass.

Behaviour (asserted by the tests):
  Ask(req)            -> {text: "answer: <prompt>", request_id, index: 0}; echoes request metadata
                         "x-echo" as response header "x-echo-header" and trailer "x-echo-trailer"
  GPTGeneration(req)  -> 3 responses {text: "<prompt> #i", request_id, index: i}
  Collect(stream)     -> {text: "collected: <p1>,<p2>,...", request_id: sum, index: count}
  Chat(stream)        -> one response per request {text: "chat: <prompt>", request_id, index: i}
  Fail(req)           -> status NOT_FOUND "not here: <prompt>"
"""
import sys
from concurrent import futures

import grpc
from grpc_serve import serve_until_stdin_closes
from grpc_stubs import load_stubs

pb2, pb2_grpc = load_stubs(sys.argv[1], "idlcall-pb-")


class Service(pb2_grpc.GPTStreamServiceServicer):
    def Ask(self, request, context):
        md = dict(context.invocation_metadata())
        if "x-echo" in md:
            context.send_initial_metadata((("x-echo-header", md["x-echo"]),))
            context.set_trailing_metadata((("x-echo-trailer", md["x-echo"]),))
        return pb2.GPTResponse(text="answer: " + request.prompt, request_id=request.request_id, index=0)

    def GPTGeneration(self, request, context):
        for i in range(3):
            yield pb2.GPTResponse(text="%s #%d" % (request.prompt, i), request_id=request.request_id, index=i)

    def Collect(self, request_iterator, context):
        prompts, total, n = [], 0, 0
        for r in request_iterator:
            prompts.append(r.prompt)
            total += r.request_id
            n += 1
        return pb2.GPTResponse(text="collected: " + ",".join(prompts), request_id=total, index=n)

    def Chat(self, request_iterator, context):
        for i, r in enumerate(request_iterator):
            yield pb2.GPTResponse(text="chat: " + r.prompt, request_id=r.request_id, index=i)

    def Fail(self, request, context):
        context.abort(grpc.StatusCode.NOT_FOUND, "not here: " + request.prompt)


server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
pb2_grpc.add_GPTStreamServiceServicer_to_server(Service(), server)
serve_until_stdin_closes(server)
